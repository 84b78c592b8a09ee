// The landlord's site tools in Chromium against a real platform: a card
// presented at a simulated reader is enrolled by swiping and then opens the
// door; reported lost, it is refused; a visitor pass shows its QR code and the
// visitor's name and is revoked; a door is opened remotely with a reason (an
// audited command the reader carries out); the responsibility agreement is
// signed; the alerts page shows the landlord's building's alert and not
// another landlord's.

import type { MqttClient } from 'mqtt'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SimReaderDevice } from '../../firmware-sim/device/index.ts'
import { sampleUplinks } from '../../protocol/index.ts'
import { expectClean, launchBrowser, openConsole, signIn, type ConsolePage } from '../support/browser.ts'
import { residentIdNumber } from '../support/id-numbers.ts'
import { connectReader } from '../support/mqtt-device.ts'
import { callApi, provisionReader, startTestPlatform, type TestPlatform } from '../support/platform.ts'
import { startSimReader } from '../support/sim-reader.ts'
import { until } from '../support/wait.ts'

const CARD = '7E57CA4D01'
const SHOTS = process.env.LANDLORD_SITE_SHOTS === '1'

describe('the landlord\'s site tools in Chromium', () => {
  let tp: TestPlatform
  let browser: Browser
  let base: string
  let reader: SimReaderDevice | undefined
  const devices: MqttClient[] = []
  const api = (who: string, method: string, url: string, body?: object) => callApi(tp, who, method, url, body)
  const shot = async (c: ConsolePage, name: string): Promise<void> => {
    if (SHOTS) await c.page.screenshot({ path: `/tmp/landlord-site-${name}.png`, fullPage: true })
  }

  beforeAll(async () => {
    [tp, browser] = await Promise.all([startTestPlatform('pglite'), launchBrowser()])
    base = tp.platform.addresses.api
    reader = await startSimReader(tp, 'landlord-li', 'demo-b1')
    const reg = await api('landlord-li', 'POST', '/rooms/demo-b1-201/registrations', {
      resident: { name: '刷卡住户', idType: 'resident_id', idNumber: residentIdNumber(7401) }, permitValidUntil: '2027-06-30',
    })
    expect(reg.status, JSON.stringify(reg.body)).toBe(201)
  }, 90_000)
  afterAll(async () => {
    for (const d of devices) await d.endAsync(true)
    await reader?.stop().catch(() => {})
    await browser?.close()
    await tp?.dispose()
  })

  it('enrols a card by swiping, which then opens the door; reported lost, the door refuses it', async () => {
    expect(await reader!.present({ kind: 'card', value: CARD }, 'in')).toBe('denied')
    await until('the platform lists the presentation', async () =>
      (await api('landlord-li', 'GET', '/buildings/demo-b1/unknown-credentials')).body.items?.length > 0, 5000)
    const c = await openConsole(browser, base)
    const { page } = c
    await signIn(c, 'landlord-li')
    await page.goto(`${base}/#/landlord/rooms/demo-b1-201`)
    const tenant = page.getByRole('article', { name: '刷卡住户' })
    await tenant.getByRole('button', { name: '刷卡录入' }).click()
    const row = tenant.locator('tr', { hasText: '…4D01' })
    await row.waitFor()
    expect(await row.textContent()).toContain('main-gate')
    const listBefore = reader!.allowlistVersion
    await shot(c, 'swipe')
    await row.getByRole('button', { name: /录入给此住户/ }).click()
    await tenant.getByText('已录入：门禁卡 …4D01').waitFor()
    await tenant.locator('.credential', { hasText: '…4D01' }).waitFor()
    expect(await page.content()).not.toContain(CARD)
    await until('the reader receives the card', () => reader!.allowlistVersion > listBefore, 5000)
    expect(await reader!.present({ kind: 'card', value: CARD }, 'in')).toBe('granted')

    const listed = reader!.allowlistVersion
    await tenant.getByRole('button', { name: '挂失 门禁卡 …4D01' }).click()
    await tenant.getByText('确定将 门禁卡 …4D01 挂失').waitFor()
    await shot(c, 'lost-confirm')
    await tenant.getByRole('button', { name: '确定' }).click()
    await tenant.locator('.credential', { hasText: '停用原因：挂失' }).waitFor()
    await until('the reader drops the card', () => reader!.allowlistVersion > listed, 5000)
    expect(await reader!.present({ kind: 'card', value: CARD }, 'in')).toBe('denied')
    await expectClean(c)

    // Another tenant's card is refused in words (the browser logs the refused request, nothing else), and nothing is issued.
    await tenant.getByRole('button', { name: '发放卡 / 二维码 / 密码' }).click()
    await tenant.locator('input[name=credentialValue]').fill('04A1B2C3')
    await tenant.getByRole('button', { name: '发放', exact: true }).click()
    await tenant.getByRole('alert').getByText('这张卡或这个码已有人在用，不能重复发放。').waitFor()
    expect(await tenant.locator('.credential').count()).toBe(1)
    expect(c.errors).toEqual([expect.stringContaining('409')])

    // A QR code for the tenant: its landlord draws it to hand over.
    await tenant.locator('select[name=credentialKind]').selectOption('qr')
    await tenant.getByRole('button', { name: '发放', exact: true }).click()
    await tenant.getByText(/^已发放：二维码 …/).waitFor()
    await tenant.getByRole('button', { name: '显示二维码' }).click()
    await tenant.locator('img.qr[alt="刷卡住户 的门禁二维码"]').waitFor()
    await shot(c, 'tenant-qr')
    expect(c.errors).toHaveLength(1)
    await c.context.close()
  })

  it('issues a visitor pass that shows its QR code and the visitor\'s name, and revokes it', async () => {
    const c = await openConsole(browser, base)
    const { page } = c
    await signIn(c, 'landlord-li')
    await page.goto(`${base}/#/landlord/rooms/demo-b1-101`)
    await page.getByRole('button', { name: '发放访客通行证' }).click()
    await page.locator('input[name=visitorName]').fill('访客小陈')
    await page.getByRole('button', { name: '发放通行证' }).click()
    const pass = page.getByRole('article', { name: '访客：访客小陈' })
    await pass.locator('img.qr').waitFor()
    expect(await pass.locator('img.qr').getAttribute('alt')).toBe('访客小陈 的访客二维码')
    expect(await pass.locator('img.qr').getAttribute('src')).toMatch(/^data:image\/png;base64,/)
    const issued = (await api('landlord-li', 'GET', '/rooms/demo-b1-101/visitor-passes?active=true')).body as Array<{ id: string; value: string; visitorName: string }>
    expect(issued).toMatchObject([{ visitorName: '访客小陈' }])
    expect(await pass.locator('code').textContent()).toBe(issued[0]!.value)
    await shot(c, 'pass')
    // The same page in English, and back.
    await page.getByRole('button', { name: '语言' }).click()
    await page.getByRole('article', { name: 'Visitor: 访客小陈' }).locator('img.qr[alt="Visitor QR code for 访客小陈"]').waitFor()
    await page.getByRole('button', { name: 'Enrol by swiping' }).first().waitFor()
    await shot(c, 'pass-en')
    await page.getByRole('button', { name: 'Language' }).click()
    await pass.getByRole('button', { name: '停用' }).click()
    await pass.getByRole('button', { name: '确定' }).click()
    await page.getByText('该房间没有访客通行证。').waitFor()
    expect((await api('landlord-li', 'GET', '/rooms/demo-b1-101/visitor-passes')).body).toMatchObject([{ id: issued[0]!.id, status: 'revoked' }])
    await expectClean(c)
    await c.context.close()
  })

  it('opens a door remotely with a reason, audited, and signs the responsibility agreement', async () => {
    await api('admin', 'PATCH', '/buildings/demo-b1', { responsibilitySignedAt: null })
    const c = await openConsole(browser, base)
    const { page } = c
    await signIn(c, 'landlord-li')
    await page.goto(`${base}/#/landlord/buildings/demo-b1`)
    await page.getByRole('link', { name: '设备、远程开门与治安责任书' }).click()
    await page.getByRole('heading', { name: 'Lianhua Lane 8 · 现场' }).waitFor()
    const device = page.locator(`tr[data-device-id="${reader!.deviceId}"]`)
    expect(await device.textContent()).toContain('在线')
    // The demo reader never connected: the platform would refuse to open its door, so the page offers nothing.
    expect(await page.locator('tr[data-device-id="demo-b1-reader"] button').count()).toBe(0)
    await device.getByRole('button', { name: '远程开门 main-gate' }).click()
    const form = page.getByRole('form', { name: '远程开门：main-gate' })
    await expect(form.getByRole('button', { name: '确认开门' }).isDisabled()).resolves.toBe(true)
    await form.locator('input[name=openReason]').fill('快递员送大件')
    await form.getByRole('button', { name: '确认开门' }).click()
    await form.getByText('开门指令结果：').waitFor({ timeout: 10_000 })
    expect(await form.getByRole('status').textContent()).toContain('开门指令结果：成功')
    const audit = await tp.platform.db.query<{ detail: { reason: string; door: string } }>(
      `select detail from audit_log where action = 'device.open_door' and subject_id = $1`, [reader!.deviceId])
    expect(audit.rows.map((r) => r.detail)).toMatchObject([{ reason: '快递员送大件', door: 'main-gate' }])
    await shot(c, 'site')

    await page.getByText('尚未签订').waitFor()
    await page.getByRole('button', { name: '签订责任书' }).click()
    await page.getByRole('button', { name: '我已阅读并同意遵守治安责任书，确认签订' }).click()
    await page.getByText(/^已于 .* 签订$/).waitFor()
    expect((await api('landlord-li', 'GET', '/buildings/demo-b1')).body.responsibilitySignedAt).not.toBeNull()
    await page.getByRole('button', { name: '语言' }).click()
    await page.getByText(/^Signed on /).waitFor()
    await page.getByRole('heading', { name: 'Lianhua Lane 8 · site' }).waitFor()
    await shot(c, 'site-en')
    await expectClean(c)
    await c.context.close()
  })

  it('lists the alerts of the landlord\'s buildings only, in Chinese and English, and acknowledges one', async () => {
    // An unknown card at another landlord's building raises an alert Li must not see.
    const details = await provisionReader(tp, 'landlord-wang', 'demo-b2')
    const { client } = await connectReader(details)
    devices.push(client)
    const topic = details.publish.find((t) => t.endsWith('/event/access'))!
    const swipe = { ...sampleUplinks()['event/access'], eventId: 'landlord-site-b2', seq: 1, ts: new Date().toISOString(), credential: { kind: 'card', value: 'B2B2B2B2B2' }, result: 'denied' }
    await client.publishAsync(topic, JSON.stringify(swipe), { qos: 1 })
    await until('the other building\'s alert', async () =>
      (await api('admin', 'GET', '/alerts?buildingId=demo-b2&status=live')).body.items?.length > 0, 5000)
    const theirs = (await api('admin', 'GET', '/alerts?buildingId=demo-b2&status=live')).body.items as Array<{ id: string }>
    const mine = (await api('landlord-li', 'GET', '/alerts?status=live')).body.items as Array<{ id: string; buildingId: string; status: string }>
    expect(mine.length).toBeGreaterThan(0)
    expect(mine.every((a) => a.buildingId === 'demo-b1')).toBe(true)

    for (const lang of ['zh-CN', 'en'] as const) {
      const c = await openConsole(browser, base, { lang })
      const { page } = c
      await signIn(c, 'landlord-li')
      await page.getByRole('link', { name: lang === 'en' ? 'Alerts' : '告警', exact: true }).click()
      await page.getByRole('heading', { name: lang === 'en' ? 'Alerts of my buildings' : '我的楼栋告警' }).waitFor()
      await page.locator(`[data-alert-id="${mine[0]!.id}"]`).waitFor()
      for (const a of mine) expect(await page.locator(`[data-alert-id="${a.id}"]`).textContent()).toContain('Lianhua Lane 8')
      for (const a of theirs) expect(await page.locator(`[data-alert-id="${a.id}"]`).count()).toBe(0)
      expect(await page.content()).not.toContain('B2B2B2B2B2')
      await shot(c, `alerts-${lang}`)
      if (lang === 'en') {
        const open = mine.find((a) => a.status === 'open')!
        const card = page.locator(`[data-alert-id="${open.id}"]`)
        await card.getByRole('button', { name: 'Acknowledge' }).click()
        await page.locator(`[data-alert-id="${open.id}"]`, { hasText: 'Acknowledged at' }).waitFor()
        expect((await api('landlord-li', 'GET', `/alerts/${open.id}`)).body.status).toBe('acknowledged')
      }
      await expectClean(c)
      await c.context.close()
    }
  })
})
