import type { RouteRecordRaw } from 'vue-router'

export const pathRoutes: RouteRecordRaw[] = []
