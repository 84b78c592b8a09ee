// `npm run screenshots`: pictures of the consoles' main pages, taken from the
// real app for docs/consoles.md. Starts a platform with the demo site on the
// embedded store, makes a little life (a tenant registered, a reader that
// turns away an unknown card, a forced door), then signs in as each demo
// account in the system's Chromium and photographs its pages into
// docs/consoles/. Needs the chromium package and a CJK font
// (fonts-wqy-microhei) for the Chinese pages to show their characters.

import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ApiClient } from '../contract/client.ts'
import { createReader } from '../firmware-sim/device/index.ts'
import { ensureConsoleBuilt } from '../platform/console/console-build.ts'
import { startPlatform } from '../platform/starter.ts'
import { launchBrowser, openConsole, signIn, type ConsolePage } from '../test/support/browser.ts'
import { residentIdNumber } from '../test/support/id-numbers.ts'

const OUT = fileURLToPath(new URL('../docs/consoles/', import.meta.url))

export interface Shot {
  /** File name without .png. */
  name: string
  user: string
  path: string
  /** Text that shows once the page has loaded. */
  waitFor: string
  lang?: 'zh-CN' | 'en'
  phone?: boolean
}

export const SHOTS: Shot[] = [
  { name: 'login', user: '', path: '/', waitFor: '登录' },
  { name: 'landlord-buildings', user: 'landlord-li', path: '/landlord', waitFor: 'Lianhua Lane 8' },
  { name: 'landlord-building', user: 'landlord-li', path: '/landlord/buildings/demo-b1', waitFor: '房间' },
  { name: 'landlord-room', user: 'landlord-li', path: '/landlord/rooms/{room}', waitFor: '在住人员' },
  { name: 'landlord-register', user: 'landlord-li', path: '/landlord/rooms/{room}/register', waitFor: '住户信息' },
  { name: 'dispatch-queue', user: 'police-zumiao', path: '/dispatch', waitFor: '已持续' },
  { name: 'dispatch-queue-en', user: 'police-zumiao', path: '/dispatch', waitFor: 'Open for', lang: 'en' },
  { name: 'dispatch-alert', user: 'police-zumiao', path: '/dispatch/alerts/{alert}', waitFor: '处置记录' },
  { name: 'dispatch-alert-en', user: 'police-zumiao', path: '/dispatch/alerts/{alert}', waitFor: 'History', lang: 'en' },
  { name: 'dispatch-map', user: 'police-zumiao', path: '/dispatch/map', waitFor: '地图' },
  { name: 'landlord-register-en', user: 'landlord-li', path: '/landlord/rooms/{room}/register', waitFor: 'Person', lang: 'en' },
  { name: 'landlord-inbox', user: 'landlord-li', path: '/landlord/inbox', waitFor: '待处理' },
  { name: 'landlord-import', user: 'landlord-li', path: '/landlord/buildings/demo-b1/import', waitFor: '批量导入住户' },
  { name: 'landlord-alerts', user: 'landlord-li', path: '/landlord/alerts', waitFor: '我的楼栋告警' },
  { name: 'landlord-site', user: 'landlord-li', path: '/landlord/buildings/demo-b1/site', waitFor: '设备状态' },
  { name: 'dispatch-handover', user: 'police-zumiao', path: '/dispatch/handover', waitFor: '交接班' },
  { name: 'dispatch-exchange', user: 'police-zumiao', path: '/dispatch/exchange', waitFor: '通行记录' },
  { name: 'grid-houses', user: 'grid-chen', path: '/grid/houses', waitFor: 'Lianhua', phone: true },
  { name: 'grid-phone', user: 'grid-chen', path: '/grid', waitFor: '详情', phone: true },
  { name: 'grid-tasks', user: 'grid-chen', path: '/grid/tasks', waitFor: '我的任务', phone: true },
  { name: 'landlord-score', user: 'landlord-li', path: '/landlord/buildings/demo-b1/score', waitFor: '扣分明细' },
  { name: 'dispatch-grade-proposals', user: 'police-zumiao', path: '/dispatch/grade-proposals', waitFor: '审核' },
  { name: 'dispatch-grade-proposal', user: 'police-zumiao', path: '/dispatch/grade-proposals/{proposal}', waitFor: '建议的理由' },
  { name: 'dispatch-houses-by-grade', user: 'police-zumiao', path: '/dispatch/houses', waitFor: '房屋积分' },
  { name: 'admin-grade-settings', user: 'admin', path: '/admin/policy?area=zumiao', waitFor: '生效的设置' },
  { name: 'admin-users', user: 'admin', path: '/admin/users', waitFor: '用户' },
  { name: 'admin-areas', user: 'admin', path: '/admin/areas', waitFor: '区域' },
  { name: 'admin-webhooks', user: 'admin', path: '/admin/webhooks', waitFor: '推送地址' },
  { name: 'admin-devices', user: 'admin', path: '/admin/devices', waitFor: '接入新设备' },
  { name: 'admin-exchange', user: 'admin', path: '/admin/exchange', waitFor: '数据交换' },
  { name: 'vendor-devices', user: 'vendor-acme', path: '/admin/devices', waitFor: '设备编号' },
]

async function main (): Promise<void> {
  mkdirSync(OUT, { recursive: true })
  await ensureConsoleBuilt()
  const embedded = await startPlatform({ env: { LOG_LEVEL: 'warn' } })
  const base = embedded.platform.addresses.api
  const browser = await launchBrowser()
  const reader = await (async () => {
    const li = await ApiClient.login(base, 'landlord-li', 'demo-password')
    const rooms = await li.request('GET /buildings/:id/rooms', { params: { id: 'demo-b1' } })
    const room = rooms[0]!
    await li.request('POST /rooms/:id/registrations', {
      params: { id: room.id },
      body: { resident: { name: '王小明', idType: 'resident_id', idNumber: residentIdNumber(9001) }, permitValidUntil: '2027-06-30', credentials: [{ kind: 'card', value: '11223344' }] },
    })
    const d = await li.request('POST /buildings/:id/devices', { params: { id: 'demo-b1' }, body: { door: 'main-gate', kind: 'reader', vendor: 'RH Simulator', model: 'SIM' } })
    const r = createReader({
      url: d.mqtt.url.replace('localhost', '127.0.0.1'), buildingId: 'demo-b1', deviceId: d.device.id, door: 'main-gate', password: d.mqtt.password, allowlistKey: d.mqtt.allowlistKey,
    }, { clock: { now: Date.now }, heartbeatS: 30, tickMs: 20 })
    await r.start()
    await r.present({ kind: 'card', value: 'DEADBEEF' }, 'in')
    await r.doorEvent('forced_open')
    return { r, room: room.id, li }
  })()
  await new Promise((resolve) => setTimeout(resolve, 1500))
  // Where the demo buildings stand (the demo site gives them no place), so the map has something to draw.
  const admin = await ApiClient.login(base, 'admin', 'demo-password')
  await admin.request('PATCH /buildings/:id', { params: { id: 'demo-b1' }, body: { location: { lat: 23.0293, lon: 113.1112 } } })
  await admin.request('PATCH /buildings/:id', { params: { id: 'demo-b2' }, body: { location: { lat: 23.0301, lon: 113.1131 } } })
  const police = await ApiClient.login(base, 'police-zumiao', 'demo-password')
  const live = (await police.request('GET /alerts', { query: { status: 'live' } })).items
  const alert = live.find((a) => a.type === 'unknown_credential')
  // The forced door dispatched to the grid worker (their task list), and a note for the next shift.
  const forced = live.find((a) => a.type === 'door_forced')
  if (forced !== undefined) {
    await police.request('POST /alerts/:id/acknowledge', { params: { id: forced.id }, body: {} })
    await police.request('POST /alerts/:id/assign', { params: { id: forced.id }, body: { assigneeId: (await admin.request('GET /users', { query: { role: 'grid_worker' } })).find((u) => u.username === 'grid-chen')!.id, note: '请到现场查看大门' } })
  }
  await police.request('POST /handovers', { body: { note: '大门读卡器昨晚有强行开门告警，已派网格员陈查看；早班请跟进反馈。' } })
  // A house graded 放心 whose score says otherwise: a proposal waits for the police's decision.
  await police.request('PATCH /buildings/:id', { params: { id: 'demo-b1' }, body: { grade: 'trusted' } })
  const proposal = await police.request('POST /buildings/:id/grade-proposals', { params: { id: 'demo-b1' } }).catch(() => undefined)
  const values: Record<string, string> = { room: reader.room, alert: alert?.id ?? 'none', proposal: proposal?.id ?? 'none' }

  try {
    for (const shot of SHOTS) {
      const c: ConsolePage = await openConsole(browser, base, { ...(shot.lang === undefined ? {} : { lang: shot.lang }), ...(shot.phone === true ? { phone: true } : {}) })
      if (shot.user !== '') await signIn(c, shot.user)
      await c.page.goto(`${base}/#${shot.path.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? k)}`)
      await c.page.getByText(shot.waitFor).first().waitFor({ timeout: 10_000 }).catch(() => console.warn(`${shot.name}: "${shot.waitFor}" did not show`))
      await c.page.waitForTimeout(300)
      await c.page.screenshot({ path: join(OUT, `${shot.name}.png`), fullPage: shot.phone !== true })
      console.log(`docs/consoles/${shot.name}.png`)
      await c.context.close()
    }
  } finally {
    await browser.close()
    await reader.r.stop().catch(() => {})
    await embedded.stop()
  }
}

await main()
