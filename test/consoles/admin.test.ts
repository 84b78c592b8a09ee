// The administrator's console in Chromium against a real platform: accounts
// created and disabled (and what that does to signing in), an area added to the
// tree, a webhook whose secret is shown once and whose deliveries reach a
// receiver on this machine, a reader provisioned whose shown credentials
// connect, and a rotation that refuses the old password. A landlord gets none
// of it.

import { createHmac } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { MqttClient } from 'mqtt'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deviceTopic, sampleUplinks } from '../../protocol/index.ts'
import { expectClean, launchBrowser, openConsole, signIn, type ConsolePage } from '../support/browser.ts'
import { connectDevice, refusedLogin, type MqttDetails } from '../support/mqtt-device.ts'
import { callApi, startTestPlatform, type TestPlatform } from '../support/platform.ts'
import { until } from '../support/wait.ts'

const SHOTS = '/tmp/admin-shots'

interface Received { headers: Record<string, string | string[] | undefined>; body: string }

/** A webhook receiver on 127.0.0.1 that accepts every delivery. */
async function startReceiver (): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      res.writeHead(200).end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/alerts`, received }
}

/** The value a "shown once" box shows under `label`. */
async function shown (c: ConsolePage, label: string): Promise<string> {
  return (await c.page.locator(`code.secret[data-label="${label}"]`).textContent()) ?? ''
}

/** Drops the console lines of refusals the test provoked on purpose (the page shows them in words). */
function forgetProvoked (c: ConsolePage, ...statuses: number[]): void {
  const provoked = (e: string): boolean => statuses.some((s) => e.includes(`status of ${s}`))
  c.errors.splice(0, c.errors.length, ...c.errors.filter((e) => !provoked(e)))
}

describe('the administrator\'s console in Chromium', () => {
  let tp: TestPlatform
  let browser: Browser
  let base: string
  let receiver: Awaited<ReturnType<typeof startReceiver>>
  let admin: ConsolePage
  let webhookSecret = ''
  const clients: MqttClient[] = []

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true })
    receiver = await startReceiver()
    ;[tp, browser] = await Promise.all([startTestPlatform('pglite', { env: { WEBHOOK_ALLOW_INSECURE_LOCAL: 'on' } }), launchBrowser()])
    base = tp.platform.addresses.api
    admin = await openConsole(browser, base)
    await signIn(admin, 'admin')
  }, 90_000)
  afterAll(async () => {
    for (const c of clients) await c.endAsync(true).catch(() => {})
    await browser?.close()
    await tp?.dispose()
    await new Promise((resolve) => receiver?.server.close(resolve))
  })

  it('creates a landlord who can sign in; disabled, their sign-in is refused; refusals in words', async () => {
    const { page } = admin
    await page.getByRole('heading', { name: '用户', exact: true }).waitFor()
    // Areas by name, not id.
    await expect(page.locator('tr[data-username="grid-chen"]').textContent()).resolves.toContain('Lianhua Community')

    // A police account without its area: refused, in words.
    await page.locator('input[name=username]').fill('police-new')
    await page.locator('input[name=displayName]').fill('新派出所')
    await page.locator('select[name=role]').selectOption('police')
    await page.locator('input[name=password]').fill('first-password-1')
    await page.getByRole('button', { name: '创建账号' }).click()
    // The sentence in Chinese; the platform's English only on the line under it.
    await expect(page.locator('[role=alert]').evaluate((el) => el.firstChild?.textContent)).resolves.toBe('网格员和派出所账号必须选择辖区。')
    await expect(page.locator('[role=alert] small.error-detail').textContent()).resolves.toMatch(/areaId/)

    await page.locator('select[name=role]').selectOption('landlord')
    await page.locator('input[name=username]').fill('landlord-new')
    await page.locator('input[name=displayName]').fill('新房东')
    await page.locator('input[name=password]').fill('')
    await page.getByRole('button', { name: '创建账号' }).click()
    await page.getByRole('heading', { name: '账号 landlord-new 已创建' }).waitFor()
    await page.getByText('只显示这一次').waitFor()
    const password = await shown(admin, '初始密码')
    expect(password).toMatch(/^[A-Za-z0-9]{16}$/)
    await page.screenshot({ path: `${SHOTS}/users-created.png`, fullPage: true })
    await page.getByRole('button', { name: '我已保存' }).click()
    await page.locator('tr[data-username="landlord-new"]').waitFor()

    // The same username again: taken, in words.
    await page.locator('input[name=username]').fill('landlord-new')
    await page.locator('input[name=displayName]').fill('又一个')
    await page.getByRole('button', { name: '创建账号' }).click()
    await expect(page.locator('form [role=alert]').evaluate((el) => el.firstChild?.textContent)).resolves.toBe('该用户名已被使用，请换一个。')
    forgetProvoked(admin, 400, 409)

    const first = await openConsole(browser, base)
    await signIn(first, 'landlord-new', password)
    await first.page.getByRole('heading', { name: '我的楼栋' }).waitFor()
    await first.context.close()

    const row = page.locator('tr[data-username="landlord-new"]')
    await row.getByRole('button', { name: '停用' }).click()
    await row.getByRole('button', { name: '确认停用' }).click()
    await row.getByText('已停用').waitFor()
    await page.screenshot({ path: `${SHOTS}/users.png`, fullPage: true })
    const users = await callApi(tp, 'admin', 'GET', '/users')
    expect(users.body.find((u: { username: string }) => u.username === 'landlord-new')).toMatchObject({ role: 'landlord', disabled: true })

    const again = await openConsole(browser, base)
    await again.page.locator('input[name=username]').fill('landlord-new')
    await again.page.locator('input[name=password]').fill(password)
    await again.page.locator('form button[type=submit]').click()
    await again.page.getByText('用户名或密码不正确').waitFor()
    expect(await again.page.locator('header.top').count()).toBe(0)
    await again.context.close()
    await expectClean(admin)
  })

  it('moves a grid worker to another grid; their old session ends', async () => {
    const { page } = admin
    expect((await callApi(tp, 'grid-zhou', 'GET', '/auth/me')).status).toBe(200)
    const row = page.locator('tr[data-username="grid-zhou"]')
    await row.getByRole('button', { name: '更改辖区' }).click()
    const form = row.getByRole('form', { name: '更改 grid-zhou 的辖区' })
    await form.locator('select[name=moveAreaId]').selectOption('lianhua-g1')
    await form.getByRole('button', { name: '确认更改' }).click()
    await row.getByText('Lianhua grid 1').waitFor()
    const moved = (await callApi(tp, 'admin', 'GET', '/users?role=grid_worker')).body.find((u: { username: string }) => u.username === 'grid-zhou')
    expect(moved.areaId).toBe('lianhua-g1')
    expect((await callApi(tp, 'grid-zhou', 'GET', '/auth/me')).status).toBe(401)
    await expectClean(admin)
  })

  it('adds a community under a street, and it appears in the tree', async () => {
    const { page } = admin
    await page.getByRole('link', { name: '区域' }).click()
    await page.getByRole('heading', { name: '区域', exact: true }).waitFor()
    await page.getByRole('button', { name: '在 Zumiao Street 下添加社区' }).click()
    await page.locator('input[name=areaName]').fill('Hebin Community')
    await page.getByRole('button', { name: '创建' }).click()
    await page.locator('li[data-area="zumiao"] > ul > li', { hasText: 'Hebin Community' }).waitFor()
    const areas = await callApi(tp, 'admin', 'GET', '/areas')
    expect(areas.body.find((a: { name: string }) => a.name === 'Hebin Community')).toMatchObject({ parentId: 'zumiao', kind: 'community' })
    // A grid takes no child.
    expect(await page.locator('li[data-area="lianhua-g1"] > button').count()).toBe(0)
    await page.screenshot({ path: `${SHOTS}/areas.png`, fullPage: true })
    await expectClean(admin)
  })

  it('creates a webhook and shows its secret once; no deliveries yet', async () => {
    const { page } = admin
    await page.getByRole('link', { name: '推送地址' }).click()
    await page.getByRole('heading', { name: '推送地址', exact: true }).waitFor()
    await page.locator('input[name=url]').fill(receiver.url)
    await page.locator('select[name=areaId]').selectOption('zumiao')
    await page.getByRole('button', { name: '创建' }).click()
    await page.getByRole('heading', { name: '推送地址已创建' }).waitFor()
    webhookSecret = await shown(admin, '签名密钥')
    expect(webhookSecret.length).toBeGreaterThanOrEqual(32)
    // The copy button puts it on the clipboard.
    await admin.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base })
    await page.getByRole('button', { name: '复制签名密钥' }).click()
    await page.getByText('已复制签名密钥。').waitFor()
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(webhookSecret)
    await page.screenshot({ path: `${SHOTS}/webhook-secret.png`, fullPage: true })

    await page.reload()
    await page.getByRole('heading', { name: '已有推送地址' }).waitFor()
    expect(await page.content()).not.toContain(webhookSecret)
    const row = page.locator('tr', { hasText: receiver.url })
    await expect(row.textContent()).resolves.toContain('Chancheng District › Zumiao Street')
    await row.getByRole('button', { name: '查看推送记录' }).click()
    await page.locator('.deliveries-none').waitFor()
    await expectClean(admin)
  })

  it('provisions a reader whose shown credentials connect; its swipe is delivered to the webhook; a rotation refuses the old password', async () => {
    const { page } = admin
    await page.getByRole('link', { name: '设备' }).click()
    await page.getByRole('heading', { name: '接入新设备' }).waitFor()
    await page.locator('select[name=buildingId]').selectOption('demo-b1')
    await page.locator('input[name=door]').fill('side-gate')
    await page.locator('input[name=vendor]').fill('Acme Access')
    await page.locator('input[name=model]').fill('AR-300')
    await page.getByRole('button', { name: '接入', exact: true }).click()
    await page.getByText('只显示这一次').waitFor()
    const details: MqttDetails = {
      url: await shown(admin, 'MQTT 地址'),
      clientId: await shown(admin, '客户端编号'),
      username: await shown(admin, '用户名'),
      password: await shown(admin, '密码'),
      allowlistKey: await shown(admin, '名单密钥'),
      will: { topic: (await page.locator('code.will-topic').textContent())!, payload: (await page.locator('code.will-payload').textContent())!, qos: 1, retain: true },
      publish: [],
      subscribe: [],
    }
    expect(details.allowlistKey).toMatch(/^[0-9a-f]{64}$/)
    await page.screenshot({ path: `${SHOTS}/device-provisioned.png`, fullPage: true })
    const client = await connectDevice(details)
    clients.push(client)

    await page.getByRole('button', { name: '我已保存' }).click()
    const row = page.locator(`tr[data-device="${details.clientId}"]`)
    await until('the device shows online', async () => {
      await page.getByRole('button', { name: '刷新' }).click()
      return (await row.locator('td.online').textContent())?.includes('在线') === true && !((await row.locator('td.online').textContent())!.includes('离线'))
    }, 5000)
    await expect(row.textContent()).resolves.toContain('Lianhua Lane 8 · side-gate')

    // An unknown card at the new reader: an alert of Zumiao Street, delivered to the webhook, signed with the secret shown.
    const swipe = { ...sampleUplinks()['event/access'], eventId: 'admin-console-1', seq: 1, ts: new Date().toISOString(), credential: { kind: 'card', value: 'DEADBEEF77' }, result: 'denied' }
    await client.publishAsync(deviceTopic('demo-b1', details.clientId, 'event/access'), JSON.stringify(swipe), { qos: 1 })
    await until('the receiver gets a delivery', () => receiver.received.length > 0, 10_000)
    const delivery = receiver.received[0]!
    expect(delivery.headers['x-rh-signature']).toBe(`sha256=${createHmac('sha256', webhookSecret).update(delivery.body).digest('hex')}`)

    // Rotate: the new secret shown once; the old password is refused, the new one accepted.
    await row.getByRole('button', { name: '更换密钥' }).click()
    await row.getByRole('button', { name: '确认更换' }).click()
    await page.getByRole('heading', { name: `设备 ${details.clientId} 的新密钥` }).waitFor()
    const newPassword = await shown(admin, '密码')
    expect(newPassword).not.toBe(details.password)
    expect(await refusedLogin(details)).toBeGreaterThan(0)
    const renewed = await connectDevice(details, newPassword)
    clients.push(renewed)
    await page.getByRole('button', { name: '我已保存' }).click()
    await page.screenshot({ path: `${SHOTS}/devices.png`, fullPage: true })

    // The webhook's deliveries show it.
    await page.getByRole('link', { name: '推送地址' }).click()
    await page.locator('tr', { hasText: receiver.url }).getByRole('button', { name: '查看推送记录' }).click()
    await until('the delivery is listed as delivered', async () => {
      await page.getByRole('button', { name: '刷新' }).click()
      return (await page.locator('table.deliveries tbody tr', { hasText: 'alert.opened' }).filter({ hasText: '已送达' }).count()) > 0
    }, 5000)
    await page.screenshot({ path: `${SHOTS}/webhook-deliveries.png`, fullPage: true })
    await expectClean(admin)
  })

  it('approves a vendor\'s pending device; removes a device and deletes a webhook after a confirmation, by keyboard too', async () => {
    const { page } = admin
    const pending = await callApi(tp, 'vendor-acme', 'POST', '/buildings/demo-b1/devices', { door: 'back-door', kind: 'reader', model: 'AR-200' })
    expect(pending.status).toBe(201)
    const pendingId: string = pending.body.device.id
    await page.getByRole('link', { name: '设备' }).click()
    const waiting = page.locator(`tr[data-device="${pendingId}"]`)
    await expect(waiting.textContent()).resolves.toContain('待审批')
    await waiting.getByRole('button', { name: '审批通过' }).click()
    await waiting.getByText('名单已下发').waitFor()
    expect((await callApi(tp, 'admin', 'GET', `/devices/${pendingId}`)).body.device).toMatchObject({ approved: true })

    const row = page.locator('tr[data-device="demo-b1-cam"]')
    await row.getByRole('button', { name: '移除' }).click()
    await row.getByRole('button', { name: '取消' }).click()
    await row.getByRole('button', { name: '移除' }).click()
    // The question takes the focus: Enter confirms.
    await expect(row.locator('button:focus').textContent()).resolves.toBe('确认移除')
    await page.keyboard.press('Enter')
    await until('the camera is gone', async () => await row.count() === 0, 5000)
    expect((await callApi(tp, 'admin', 'GET', '/devices/demo-b1-cam')).status).toBe(404)

    await page.getByRole('link', { name: '推送地址' }).click()
    const hook = page.locator('tr', { hasText: receiver.url })
    await hook.getByRole('button', { name: '删除' }).click()
    await hook.getByRole('button', { name: '确认删除' }).click()
    await page.getByText('还没有推送地址。').waitFor()
    expect((await callApi(tp, 'admin', 'GET', '/webhooks')).body).toEqual([])
    await expectClean(admin)
  })

  it('shows every page in English too', async () => {
    const c = await openConsole(browser, base, { lang: 'en' })
    await signIn(c, 'admin')
    for (const [path, heading, shot] of [
      ['/admin/users', 'Users', 'users-en'], ['/admin/areas', 'Areas', 'areas-en'],
      ['/admin/webhooks', 'Webhooks', 'webhooks-en'], ['/admin/devices', 'Provision a device', 'devices-en'],
    ] as const) {
      await c.page.goto(`${base}/#${path}`)
      await c.page.getByRole('heading', { name: heading, exact: true }).first().waitFor()
      await c.page.locator('table, ul.area-tree, p:text("No webhooks yet.")').first().waitFor()
      await c.page.screenshot({ path: `${SHOTS}/${shot}.png`, fullPage: true })
    }
    // The dispatch queue stays in the administrator's navigation.
    await c.page.getByRole('link', { name: 'Alert queue' }).click()
    await c.page.getByRole('heading', { name: /Alert queue/ }).waitFor()
    await expectClean(c)
    await c.context.close()
  })

  it('gives a vendor the devices page without approval or removal, its organisation taken from the account', async () => {
    const c = await openConsole(browser, base)
    await signIn(c, 'vendor-acme')
    await c.page.getByRole('heading', { name: '接入新设备' }).waitFor()
    expect(await c.page.locator('nav.side a').allTextContents()).toEqual(['设备'])
    expect(await c.page.locator('input[name=vendor]').count()).toBe(0)
    await c.page.locator('select[name=buildingId]').selectOption('demo-b1')
    await c.page.locator('input[name=door]').fill('garage')
    await c.page.locator('input[name=model]').fill('AR-200')
    await c.page.getByRole('button', { name: '接入', exact: true }).click()
    await c.page.getByText('该设备须经房东或管理员审批后才能收到名单。').waitFor()
    await c.page.getByRole('button', { name: '我已保存' }).click()
    const row = c.page.locator('tr', { hasText: 'garage' })
    await expect(row.textContent()).resolves.toContain('Acme Access AR-200')
    expect(await row.getByRole('button', { name: '审批通过' }).count()).toBe(0)
    expect(await c.page.getByRole('button', { name: '移除' }).count()).toBe(0)
    await c.page.screenshot({ path: `${SHOTS}/vendor-devices.png`, fullPage: true })
    await expectClean(c)
    await c.context.close()
  })

  it('gives a landlord no admin page', async () => {
    const c = await openConsole(browser, base)
    await signIn(c, 'landlord-li')
    await c.page.getByRole('heading', { name: '我的楼栋' }).waitFor()
    await c.page.goto(`${base}/#/admin/users`)
    await c.page.getByText('页面不存在').waitFor()
    expect(await c.page.locator('input[name=username]').count()).toBe(0)
    expect(await c.page.getByRole('heading', { name: '新建账号' }).count()).toBe(0)
    expect((await callApi(tp, 'landlord-li', 'GET', '/users')).status).toBe(403)
    await expectClean(c)
    await c.context.close()
  })
})
