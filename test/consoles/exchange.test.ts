// Data exchange in Chromium against a real platform: an administrator
// creates a webhook for registry changes only (a registration then reaches a
// receiver on this machine, alerts do not), later adds alerts to it from the
// list by keyboard; and on the data exchange page checks a department's file
// (one bad row: nothing applied), imports it once, and downloads an export
// with masked numbers.

import { mkdirSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectClean, launchBrowser, openConsole, signIn, type ConsolePage } from '../support/browser.ts'
import { residentIdNumber } from '../support/id-numbers.ts'
import { callApi, startTestPlatform, type TestPlatform } from '../support/platform.ts'
import { startSimReader } from '../support/sim-reader.ts'
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
  const readers: Array<{ stop: () => Promise<void> }> = []
  afterAll(async () => {
    for (const r of readers) await r.stop().catch(() => {})
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

  it('imports a department\'s file on the data exchange page: checked, refused whole for a bad row, then applied once; exports masked', async () => {
    const { page } = admin
    await page.getByRole('link', { name: '数据交换' }).click()
    await page.getByRole('heading', { name: '数据交换', exact: true }).waitFor()
    const form = page.locator('form', { has: page.getByRole('heading', { name: '导入' }) })
    await form.locator('select[name=importDataset]').selectOption('rooms')
    const file = (rows: string): { name: string; mimeType: string; buffer: Buffer } =>
      ({ name: 'rooms.csv', mimeType: 'text/csv', buffer: Buffer.from(`buildingId,number,capacity\n${rows}`) })
    await form.locator('input[name=file]').setInputFiles(file('demo-b2,301,2\ndemo-b2,302,0\n'))
    await form.getByRole('button', { name: '检查' }).click()
    await form.getByRole('status').filter({ hasText: '1 行有错误，整份文件未导入。' }).waitFor()
    await expect(form.locator('tr[data-row="3"]').textContent()).resolves.toContain('capacity: invalid_capacity')
    expect(await form.getByRole('button', { name: '导入', exact: true }).count()).toBe(0)

    await form.locator('input[name=file]').setInputFiles(file('demo-b2,301,2\ndemo-b2,302,3\n'))
    await form.getByRole('button', { name: '检查' }).click()
    await form.getByRole('status').filter({ hasText: '检查通过（尚未导入）：将新增 2' }).waitFor()
    expect((await callApi(tp, 'admin', 'GET', '/buildings/demo-b2/rooms')).body.map((r: { number: string }) => r.number)).not.toContain('301')
    await form.getByRole('button', { name: '导入', exact: true }).click()
    await form.getByRole('status').filter({ hasText: '已导入：新增 2，更新 0，未变 0。' }).waitFor()
    await page.screenshot({ path: `${SHOTS}/exchange-imported.png`, fullPage: true })
    expect((await callApi(tp, 'admin', 'GET', '/buildings/demo-b2/rooms')).body.map((r: { number: string }) => r.number)).toEqual(expect.arrayContaining(['301', '302']))
    await form.getByRole('button', { name: '检查' }).click()
    await form.getByRole('status').filter({ hasText: '将新增 0，更新 0，未变 2' }).waitFor()

    const exp = page.locator('form', { has: page.getByRole('heading', { name: '导出' }) })
    await exp.locator('select[name=exportDataset]').selectOption('residents')
    const [download] = await Promise.all([page.waitForEvent('download'), exp.getByRole('link', { name: '下载' }).click()])
    const text = readFileSync(await download.path(), 'utf8')
    expect(text).toContain('44****************')
    expect(text).not.toContain(residentIdNumber(951))
    await exp.locator('input[name=whole]').check()
    expect(await exp.getByRole('link', { name: '下载' }).count()).toBe(0)
    await exp.locator('input[name=reason]').fill('核对人口信息')
    expect(await exp.getByRole('link', { name: '下载' }).getAttribute('href')).toContain('idNumbers=whole')
    await page.screenshot({ path: `${SHOTS}/exchange-page.png`, fullPage: true })
    const exported = await tp.platform.db.query<{ detail: { idNumbers: string } }>(`select detail from audit_log where action = 'exchange.exported'`)
    expect(exported.rows.map((r) => r.detail.idNumbers)).toEqual(['masked'])
    await expectClean(admin)
  })

  it('police export their jurisdiction and look up access records, without the import; the CSV holds the same', async () => {
    const reg = await callApi(tp, 'landlord-li', 'POST', '/rooms/demo-b1-201/registrations', {
      resident: { name: 'Records Tenant', idType: 'resident_id', idNumber: residentIdNumber(7301) },
      credentials: [{ kind: 'card', value: 'AB12CD34' }],
    })
    expect(reg.status).toBe(201)
    const reader = await startSimReader(tp, 'landlord-li', 'demo-b1')
    readers.push(reader)
    await until('the card on the reader', async () => await reader.present({ kind: 'card', value: 'AB12CD34' }, 'in') === 'granted', 10_000)
    const police = await openConsole(browser, tp.platform.addresses.api)
    await signIn(police, 'police-zumiao')
    const { page } = police
    await page.getByRole('link', { name: '数据交换' }).click()
    await page.getByRole('heading', { name: '数据交换', exact: true }).waitFor()
    expect(await page.getByRole('heading', { name: '导入' }).count()).toBe(0)
    const records = page.locator('form', { has: page.getByRole('heading', { name: '通行记录' }) })
    await until('the swipe among the records', async () => {
      await records.getByRole('button', { name: '查询' }).click()
      return await records.locator('tbody tr', { hasText: 'Records Tenant' }).count() > 0
    }, 15_000)
    const row = await records.locator('tbody tr', { hasText: 'Records Tenant' }).first().textContent()
    expect(row).toContain('CD34')
    expect(row).not.toContain('AB12CD34')
    expect(row).toContain('通过')
    expect(row).not.toContain(residentIdNumber(7301))
    await page.screenshot({ path: `${SHOTS}/exchange-police-records.png`, fullPage: true })
    const href = await records.getByRole('link', { name: '下载 CSV' }).getAttribute('href')
    expect(href).toMatch(/^\/access-records\.csv\?/)
    const csv = await page.evaluate(async (url) => await (await fetch(url)).text(), href!)
    expect(csv).toContain('Records Tenant')
    expect(csv).not.toContain(residentIdNumber(7301))
    await expectClean(police)
    await police.context.close()
  })
})
