import type { RouteRecordRaw } from 'vue-router'

export const declarationRoutes: RouteRecordRaw[] = []
