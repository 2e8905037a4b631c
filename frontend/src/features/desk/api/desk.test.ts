import { describe, expect, it } from 'vitest'
import { countsCsv, importProblems } from './desk'

describe('importProblems', () => {
  it('splits each pointer into the row and the column it names', () => {
    expect(
      importProblems([
        { field: '/rows/4/phone', message: '第4行C列（手机号码）：手机号格式不正确' },
        { field: '/rows/1', message: '第1行应为表头' },
        { field: '/file', message: '无法读取该文件' },
      ]),
    ).toEqual([
      { row: '4', column: '手机号码', message: '第4行C列（手机号码）：手机号格式不正确' },
      { row: '1', column: '', message: '第1行应为表头' },
      { row: '', column: '', message: '无法读取该文件' },
    ])
  })
})

describe('countsCsv', () => {
  it('writes each count and escapes formula-like labels', () => {
    const csv = countsCsv('按申报单位', [
      { key: 'a', label: '济阳区人民医院', count: 3, drill: '' },
      { key: 'b', label: '=HYPERLINK("x")', count: 1, drill: '' },
    ])
    expect(csv.split('\r\n')).toEqual(['"按申报单位","数量"', '"济阳区人民医院",3', `"'=HYPERLINK(""x"")",1`])
  })
})
