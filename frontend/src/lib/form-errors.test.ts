import { describe, expect, it } from 'vitest'
import { nextTick, reactive } from 'vue'
import { errorsUnder, useServerErrors } from './form-errors'
import { ApiError } from './problem'

const refused = (errors: Array<{ field: string; message: string }>, detail = '提交的信息有误，请按提示修改') =>
  ApiError.from(422, { code: 'validation_failed', detail, errors })

describe('useServerErrors', () => {
  it('puts field errors next to known fields and answers what is left for the form', () => {
    const server = useServerErrors()
    const left = server.apply(
      refused([
        { field: '/id_number', message: '身份证号校验位不正确' },
        { field: '/captcha', message: '未知字段' },
      ]),
      ['id_number', 'phone'],
    )
    expect(server.errors).toEqual({ id_number: '身份证号校验位不正确' })
    expect(left).toBe('未知字段')
  })

  it('answers the failure itself when it named no field, and maps renamed fields', () => {
    const server = useServerErrors()
    expect(server.apply(ApiError.from(409, { detail: '该用户名已被注册' }), ['username'])).toBe('该用户名已被注册')
    expect(server.apply(refused([{ field: '/admin_username', message: '用户名已存在' }]), ['username'], { admin_username: 'username' })).toBe('')
    expect(server.errors.username).toBe('用户名已存在')
  })

  it('drops a field’s server error as soon as the user edits that field', async () => {
    const form = reactive({ phone: '123', real_name: '李四' })
    const server = useServerErrors(form)
    server.apply(refused([{ field: '/phone', message: '手机号格式不正确' }, { field: '/real_name', message: '姓名过长' }]), ['phone', 'real_name'])
    form.phone = '13800138000'
    await nextTick()
    expect(server.errors).toEqual({ real_name: '姓名过长' })
  })
})

describe('errorsUnder', () => {
  it('collects the errors under one part of the request by key', () => {
    const { fields, rest } = errorsUnder(
      refused([
        { field: '/data/school', message: '请填写毕业院校' },
        { field: '/attachment_ids/0', message: '附件不存在' },
      ]),
      'data',
    )
    expect(fields).toEqual({ school: '请填写毕业院校' })
    expect(rest).toEqual(['附件不存在'])
  })
})
