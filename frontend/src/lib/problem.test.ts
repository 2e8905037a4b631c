import { describe, expect, it } from 'vitest'
import { ApiError, flatFieldErrors, mapDeclarationProblems, pinItemPointers, pointerTokens } from './problem'

describe('pointerTokens', () => {
  it('splits and unescapes JSON pointers', () => {
    expect(pointerTokens('/items/abc/data/school')).toEqual(['items', 'abc', 'data', 'school'])
    expect(pointerTokens('/info/a~1b~0c')).toEqual(['info', 'a/b~c'])
    expect(pointerTokens('')).toEqual([])
  })
})

describe('flatFieldErrors', () => {
  it('keys top-level fields by name and keeps the rest under the empty key', () => {
    const out = flatFieldErrors([
      { field: '/id_number', message: '身份证号校验位不正确' },
      { field: '/phone', message: '手机号格式不正确' },
      { field: '/phone', message: '手机号已注册' },
      { field: '', message: '其他问题' },
    ])
    expect(out.id_number).toBe('身份证号校验位不正确')
    expect(out.phone).toBe('手机号格式不正确；手机号已注册')
    expect(out['']).toBe('其他问题')
  })
})

describe('mapDeclarationProblems', () => {
  const errors = [
    { field: '/info/birth_date', message: '出生日期与身份证号不一致' },
    { field: '/sections/education', message: '学历至少填写1条' },
    { field: '/items/7f3a/data/school', message: '请填写毕业院校' },
    { field: '/items/7f3a/data/degree', message: '请选择学位' },
    { field: '/items/7f3a/attachments', message: '请上传证明材料' },
    { field: '/items/9b2c', message: '条目不完整' },
    { field: '/specialty', message: '请选择专业' },
    { field: '/path', message: '申报单位尚未开通上报路径' },
  ]
  const mapped = mapDeclarationProblems(errors)

  it('puts each problem next to the field it names', () => {
    expect(mapped.info).toEqual({ birth_date: '出生日期与身份证号不一致', specialty: '请选择专业' })
    expect(mapped.sections).toEqual({ education: '学历至少填写1条' })
    expect(mapped.items['7f3a']).toEqual({
      fields: { school: '请填写毕业院校', degree: '请选择学位' },
      attachments: '请上传证明材料',
    })
    expect(mapped.items['9b2c']?.general).toBe('条目不完整')
  })

  it('keeps the problems that name no shown field, and counts them all', () => {
    expect(mapped.other).toEqual([{ field: '/path', message: '申报单位尚未开通上报路径' }])
    expect(mapped.count).toBe(errors.length)
  })

  it('resolves items named by their index in the items array, as the server sends them', () => {
    const byIndex = mapDeclarationProblems(
      [
        { field: '/items/1/data/school', message: '请填写毕业院校' },
        { field: '/items/0/attachments', message: '请上传“学历”的证明材料' },
        { field: '/basic_confirmed', message: '请核对基本信息并确认' },
        { field: '/org_id', message: '申报单位尚未开通上报路径' },
      ],
      ['first-id', 'second-id'],
    )
    expect(byIndex.items['second-id']?.fields.school).toBe('请填写毕业院校')
    expect(byIndex.items['first-id']?.attachments).toBe('请上传“学历”的证明材料')
    expect(byIndex.info.basic_confirmed).toBe('请核对基本信息并确认')
    expect(byIndex.info.org_id).toBe('申报单位尚未开通上报路径')
    expect(byIndex.other).toEqual([])
  })

  it('pins index pointers to item ids so they survive later edits', () => {
    const pinned = pinItemPointers(
      [
        { field: '/items/1/data/school', message: 'a' },
        { field: '/items/0/attachments', message: 'b' },
        { field: '/items/9', message: 'c' },
        { field: '/sections/work', message: 'd' },
      ],
      ['first-id', 'second-id'],
    )
    expect(pinned.map((e) => e.field)).toEqual(['/items/second-id/data/school', '/items/first-id/attachments', '/items/9', '/sections/work'])
    // Once pinned, adding an item in front changes nothing.
    expect(mapDeclarationProblems(pinned, ['new-id', 'first-id', 'second-id']).items['second-id']?.fields.school).toBe('a')
  })

  it('joins two messages for one field instead of losing one', () => {
    const twice = mapDeclarationProblems([
      { field: '/info/gender', message: 'A' },
      { field: '/info/gender', message: 'B' },
    ])
    expect(twice.info.gender).toBe('A；B')
  })
})

describe('ApiError', () => {
  it('carries the problem detail, code and field errors', () => {
    const error = ApiError.from(422, {
      status: 422,
      code: 'validation_failed',
      detail: '提交的信息有误，请按提示修改',
      errors: [{ field: '/uscc', message: '统一社会信用代码校验位不正确' }],
    })
    expect(error.message).toBe('提交的信息有误，请按提示修改')
    expect(error.code).toBe('validation_failed')
    expect(error.errors).toHaveLength(1)
    expect(ApiError.from(500, 'oops').errors).toEqual([])
  })
})
