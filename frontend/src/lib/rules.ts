// Element Plus form rules with our messages. `required` rules also draw the red * on the label.
import type { FormItemRule } from 'element-plus'
import { t } from '@/config/i18n'
import { isContactPhone, isIdNumber, isPhone, isTotpCode, isUscc, isUsername, passwordStrongEnough } from './validators'

type Check = (value: string) => boolean

function rule(check: Check, messageKey: string): FormItemRule {
  return {
    trigger: 'blur',
    validator: (_rule, value: unknown, callback) => {
      const text = typeof value === 'string' ? value : value == null ? '' : String(value)
      if (text === '' || check(text)) callback()
      else callback(new Error(t(messageKey)))
    },
  }
}

export const required = (labelKey: string, trigger: 'blur' | 'change' = 'blur'): FormItemRule => ({
  required: true,
  trigger,
  validator: (_rule, value: unknown, callback) => {
    const empty = value === undefined || value === null || (typeof value === 'string' && value.trim() === '') ||
      (Array.isArray(value) && value.length === 0)
    if (empty) callback(new Error(t('common.required', { label: t(labelKey) })))
    else callback()
  },
})

export const idNumberRule = rule(isIdNumber, 'auth.idNumberInvalid')
export const usccRule = rule(isUscc, 'auth.usccInvalid')
export const phoneRule = rule(isPhone, 'auth.phoneInvalid')
export const contactPhoneRule = rule(isContactPhone, 'auth.contactPhoneInvalid')
export const usernameRule = rule(isUsername, 'auth.usernameRule')
export const passwordRule = rule(passwordStrongEnough, 'auth.passwordRule')
export const totpCodeRule = rule(isTotpCode, 'auth.totpCodeInvalid')

/** The confirmation must equal the password read by `current()`. */
export function sameAs(current: () => string): FormItemRule {
  return {
    trigger: 'blur',
    validator: (_rule, value: unknown, callback) => {
      if (value === current()) callback()
      else callback(new Error(t('auth.passwordMismatch')))
    },
  }
}
