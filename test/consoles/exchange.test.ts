// Choosing what a webhook receives, in Chromium against a real platform: an
// administrator creates a webhook for registry changes only (a registration
// then reaches a receiver on this machine, alerts do not), and later adds
// alerts to it from the list, by mouse and by keyboard.

import { mkdirSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectClean, launchBrowser, openConsole, signIn, type ConsolePage } from '../support/browser.ts'
import { residentIdNumber } from '../support/id-numbers.ts'
import { callApi, startTestPlatform, type TestPlatform } from '../support/platform.ts'
import { until } from '../support/wait.ts'

const SHOTS = '/tmp/exchange-shots'

describe('choosing a webhook\'s subscriptions in the administrator\'s console', () => {
  let tp: TestPlatform
  let browser: Browser
  let admin: ConsolePage
  let server: Server
  let url = ''
  const received: Array<{ event: string; body: string }> = []

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true })
    server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        received.push({ event: String(req.headers['x-rh-event']), body: Buffer.concat(chunks).toString('utf8') })
        res.writeHead(200).end('ok')
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/population`
    ;[tp, browser] = await Promise.all([startTestPlatform('pglite', { env: { WEBHOOK_ALLOW_INSECURE_LOCAL: 'on' } }), launchBrowser()])
    admin = await openConsole(browser, tp.platform.addresses.api)
    await signIn(admin, 'admin')
  }, 90_000)
  afterAll(async () => {
    await browser?.close()
    await tp?.dispose()
    await new Promise((resolve) => server?.close(resolve))
  })

  it('creates a webhook for registry changes only; a registration reaches it', async () => {
    const { page } = admin
    await page.getByRole('link', { name: '推送地址' }).click()
    await page.getByRole('heading', { name: '推送地址', exact: true }).waitFor()
    const form = page.locator('form', { has: page.getByRole('heading', { name: '新建推送地址' }) })
    const alerts = form.getByRole('checkbox', { name: '告警' })
    const registry = form.getByRole('checkbox', { name: /登记变更/ })
    expect(await alerts.isChecked()).toBe(true)
    expect(await registry.isChecked()).toBe(false)
    // The last one ticked cannot be unticked: a webhook receives something.
    expect(await alerts.isDisabled()).toBe(true)
    await registry.check()
    await alerts.uncheck()
    expect(await registry.isDisabled()).toBe(true)
    await form.locator('input[name=url]').fill(url)
    await form.locator('select[name=areaId]').selectOption('zumiao')
    await page.screenshot({ path: `${SHOTS}/webhook-new-registry.png`, fullPage: true })
    await form.getByRole('button', { name: '创建' }).click()
    await page.getByRole('heading', { name: '推送地址已创建' }).waitFor()
    await page.getByRole('button', { name: '我已保存' }).click()
    await page.locator('tr', { hasText: url }).waitFor()

    const hooks = (await callApi(tp, 'admin', 'GET', '/webhooks')).body as Array<{ id: string; url: string; subscriptions: string[] }>
    expect(hooks.find((w) => w.url === url)?.subscriptions).toEqual(['registry'])
    const r = await callApi(tp, 'landlord-li', 'POST', '/rooms/demo-b1-102/registrations', {
      resident: { name: '黄一', idType: 'resident_id', idNumber: residentIdNumber(951) },
    })
    expect(r.status).toBe(201)
    await until('the arrival delivered', () => received.some((x) => x.event === 'registry.registration.arrived'), 10_000)
    expect(received.every((x) => x.event.startsWith('registry.'))).toBe(true)
    await expectClean(admin)
  })

  it('adds alerts to it from the list, by keyboard, and saves; the choice holds after a reload', async () => {
    const { page } = admin
    const row = page.locator('tr', { hasText: url })
    const alerts = row.getByRole('checkbox', { name: '告警' })
    expect(await alerts.isChecked()).toBe(false)
    expect(await row.getByRole('button', { name: '保存接收内容' }).count()).toBe(0)
    await alerts.focus()
    await page.keyboard.press('Space')
    expect(await alerts.isChecked()).toBe(true)
    await row.getByRole('button', { name: '保存接收内容' }).focus()
    await page.keyboard.press('Enter')
    await row.getByRole('status').filter({ hasText: '已保存' }).waitFor()
    await page.screenshot({ path: `${SHOTS}/webhook-receives-saved.png`, fullPage: true })
    const hooks = (await callApi(tp, 'admin', 'GET', '/webhooks')).body as Array<{ url: string; subscriptions: string[] }>
    expect(hooks.find((w) => w.url === url)?.subscriptions).toEqual(['alerts', 'registry'])
    await page.reload()
    const again = page.locator('tr', { hasText: url })
    await again.waitFor()
    expect(await again.getByRole('checkbox', { name: '告警' }).isChecked()).toBe(true)
    expect(await again.getByRole('checkbox', { name: /登记变更/ }).isChecked()).toBe(true)
    const audit = await tp.platform.db.query<{ actor_role: string }>(`select actor_role from audit_log where action = 'webhook.updated'`)
    expect(audit.rows).toEqual([{ actor_role: 'admin' }])
    await expectClean(admin)
  })
})
