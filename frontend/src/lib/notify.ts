import { ElMessage } from 'element-plus'
import { t } from '@/config/i18n'
import { ApiError } from './problem'

/** The sentence to show for a failure: the server's own detail (Chinese), or ours. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return t('common.networkError')
    return error.problem.detail || error.problem.title || t('common.unknownError')
  }
  return t('common.unknownError')
}

export function showError(error: unknown): void {
  ElMessage({ type: 'error', message: messageOf(error), showClose: true, duration: 5000 })
}

export function showSuccess(message: string): void {
  ElMessage({ type: 'success', message })
}

export function showWarning(message: string): void {
  ElMessage({ type: 'warning', message, showClose: true, duration: 5000 })
}
