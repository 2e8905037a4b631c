import { idNumber, uscc } from './ids'

export const PASSWORD = 'Walk#2026pw'

/** The people and organisations the walk registers through the UI. */
export const institution = {
  name: '济阳区中医医院',
  uscc: uscc('12370126MA0000011'),
  kind: '事业单位',
  region: ['山东省', '济南市', '商河县'],
  address: '济阳区纬二路88号',
  contact: '李主任',
  phone: '13905319901',
  admin: 'tcm_hospital',
}
export const authority = {
  name: '济阳区医疗保障局',
  uscc: uscc('11370126MA0000022'),
  kind: '主管部门',
  region: ['山东省', '济南市', '商河县'],
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

/** 申报信息 of the 卫生 form, as the nurse fills it in (性别 and 出生日期 come from her ID number). */
export const nurseInfo = [
  { key: 'ethnicity', type: 'select', value: '汉族' },
  { key: 'education', type: 'select', value: '大学本科' },
  { key: 'major', type: 'text', value: '护理学' },
  { key: 'position', type: 'text', value: '护士' },
  { key: 'work_start_date', type: 'date', value: '2010-07-01' },
  { key: 'profession_years', type: 'number', value: 15 },
] as const

/** One item per section the 卫生 form requires; `evidence` marks the sections needing a file. */
export const nurseItems = [
  {
    section: 'education',
    evidence: true,
    fields: [
      { key: 'school', type: 'text', value: '山东第一医科大学' },
      { key: 'major', type: 'text', value: '护理学' },
      { key: 'education', type: 'select', value: '大学本科' },
      { key: 'graduation_date', type: 'date', value: '2010-06-30' },
    ],
  },
  { section: 'annual_review', evidence: false, fields: [{ key: 'year', type: 'year', value: '2025' }, { key: 'result', type: 'select', value: '优秀' }] },
  {
    section: 'work',
    evidence: false,
    fields: [
      { key: 'start_date', type: 'date', value: '2010-07-01' },
      { key: 'org_name', type: 'text', value: '济阳区中医医院' },
      { key: 'position', type: 'text', value: '护士' },
    ],
  },
  {
    section: 'achievement',
    evidence: true,
    fields: [
      { key: 'name', type: 'text', value: '中医护理在慢病管理中的应用' },
      { key: 'kind', type: 'select', value: '论文' },
      { key: 'date', type: 'date', value: '2024-05-20' },
    ],
  },
  {
    section: 'continuing_education',
    evidence: true,
    fields: [
      { key: 'year', type: 'year', value: '2025' },
      { key: 'hours', type: 'number', value: 32 },
      { key: 'credit_type', type: 'select', value: 'I类学分' },
    ],
  },
] as const
