import { idNumber, uscc } from './ids'

export const PASSWORD = 'Walk#2026pw'

/** The people and organisations the walk registers through the UI. */
export const institution = {
  name: '济阳区中医医院',
  uscc: uscc('12370126MA0000011'),
  kind: '事业单位',
  region: '370126',
  address: '济阳区纬二路88号',
  contact: '李主任',
  phone: '13905319901',
  admin: 'tcm_hospital',
}
export const authority = {
  name: '济阳区医疗保障局',
  uscc: uscc('11370126MA0000022'),
  kind: '主管部门',
  region: '370126',
  address: '济阳区开元大街66号',
  contact: '赵科长',
  phone: '13905319902',
  admin: 'jiyang_medsec',
}
export const person = {
  username: 'nurse_wang',
  realName: '王晓燕',
  idNumber: idNumber('19880612', 24),
  phone: '13905319903',
}
export const reviewers = {
  institution: { username: 'tcm_reviewer', realName: '孙审核', idNumber: idNumber('19800101', 35), phone: '13905319911' },
  authority: { username: 'medsec_reviewer', realName: '周审核', idNumber: idNumber('19790202', 57), phone: '13905319912' },
  bureau: { username: 'hrss_reviewer', realName: '吴审核', idNumber: idNumber('19770303', 79), phone: '13905319913' },
}
export const bureau = { username: 'jiyang_hrss', name: '济南市济阳区人力资源和社会保障局' }
