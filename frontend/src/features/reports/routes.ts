import type { RouteRecordRaw } from 'vue-router'

export const reportRoutes: RouteRecordRaw[] = []
