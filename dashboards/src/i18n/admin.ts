// Texts of the administrator's console.
import { english } from './catalog.ts'

export const zh = {
  'admin.users.title': '用户',
  'admin.users.username': '用户名',
  'admin.users.name': '名称',
  'admin.users.role': '角色',
  'admin.users.area': '辖区',
  'admin.users.created': '创建日期',
} as const

export const en = english<typeof zh>({
  'admin.users.title': 'Users',
  'admin.users.username': 'Username',
  'admin.users.name': 'Name',
  'admin.users.role': 'Role',
  'admin.users.area': 'Area',
  'admin.users.created': 'Created',
})
