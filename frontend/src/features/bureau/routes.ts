import type { RouteRecordRaw } from 'vue-router'

export const bureauRoutes: RouteRecordRaw[] = []
