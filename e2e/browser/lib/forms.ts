// Filling forms the SPA renders from a series' template, field by field, by its type.
import { expect, type Locator, type Page } from '@playwright/test'

export type Value = string | number
export interface FieldFill {
  key: string
  type: 'text' | 'long_text' | 'number' | 'date' | 'year' | 'select'
  value: Value
}

/** Fills one field inside `scope` (a form renderer's container) the way a user would. */
export async function fill(page: Page, scope: Locator, field: FieldFill): Promise<void> {
  const item = scope.locator(`.el-form-item[data-field="${field.key}"]`)
  const value = String(field.value)
  switch (field.type) {
    case 'long_text':
      await item.locator('textarea').fill(value)
      break
    case 'select':
      await item.locator('.el-select').click()
      await page.locator('.el-select-dropdown__item:visible', { hasText: new RegExp(`^${value}$`) }).first().click()
      await expect(page.locator('.el-select-dropdown:visible')).toHaveCount(0)
      break
    case 'date':
    case 'year': {
      const input = item.locator('input')
      await input.click()
      await input.fill(value)
      await input.press('Enter')
      await expect(input).toHaveValue(value)
      // close whatever picker panel is still open
      await page.keyboard.press('Escape')
      break
    }
    case 'number': {
      const input = item.locator('input')
      await input.fill(value)
      await input.blur()
      break
    }
    default:
      await item.locator('input').fill(value)
  }
}

export async function fillAll(page: Page, scope: Locator, fields: FieldFill[]): Promise<void> {
  for (const field of fields) await fill(page, scope, field)
}
