// Texts of the administrator's console.
import { english } from './catalog.ts'

export const zh = {
  'admin.users.title': '用户',
  'admin.users.username': '用户名',
  'admin.users.name': '名称',
  'admin.users.role': '角色',
  'admin.users.area': '辖区',
  'admin.users.created': '创建日期',
  'admin.devices.title': '设备',
  'admin.devices.none': '还没有可查看的设备。',
  'admin.devices.id': '设备编号',
  'admin.devices.where': '楼栋 · 门',
  'admin.devices.kind': '类型',
  'admin.devices.model': '厂商与型号',
  'admin.devices.approved': '已审批',
  'admin.devices.allowlist': '名单',
} as const

export const en = english<typeof zh>({
  'admin.users.title': 'Users',
  'admin.users.username': 'Username',
  'admin.users.name': 'Name',
  'admin.users.role': 'Role',
  'admin.users.area': 'Area',
  'admin.users.created': 'Created',
  'admin.devices.title': 'Devices',
  'admin.devices.none': 'No device to show yet.',
  'admin.devices.id': 'Device',
  'admin.devices.where': 'Building · door',
  'admin.devices.kind': 'Kind',
  'admin.devices.model': 'Vendor and model',
  'admin.devices.approved': 'Approved',
  'admin.devices.allowlist': 'Allow-list',
})
