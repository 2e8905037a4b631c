import type { RouteRecordRaw } from 'vue-router'

export const reviewerRoutes: RouteRecordRaw[] = []
