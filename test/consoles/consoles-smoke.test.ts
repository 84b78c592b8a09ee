// The consoles in a real browser against a real platform on the embedded
// store: served at `/`, signed in through the form, a landlord sees only their
// own building and registers a tenant in it, a dispatcher's queue shows an
// alert raised at a door as it happens, in Chinese and in English (how fast:
// npm run bench:console, docs/benchmarks.md).

import type { MqttClient } from 'mqtt'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SimReaderDevice } from '../../firmware-sim/device/index.ts'
import { sampleUplinks } from '../../protocol/index.ts'
import { expectClean, launchBrowser, openConsole, signIn } from '../support/browser.ts'
import { residentIdNumber } from '../support/id-numbers.ts'
import { connectReader } from '../support/mqtt-device.ts'
import { until } from '../support/wait.ts'
import { callApi, provisionReader, startTestPlatform, type TestPlatform } from '../support/platform.ts'
import { startSimReader } from '../support/sim-reader.ts'

describe('the consoles in Chromium', () => {
  let tp: TestPlatform
  let browser: Browser
  let base: string
  const devices: MqttClient[] = []
  let reader: SimReaderDevice | undefined
  beforeAll(async () => {
    [tp, browser] = await Promise.all([startTestPlatform('pglite'), launchBrowser()])
    base = tp.platform.addresses.api
  }, 90_000)
  afterAll(async () => {
    for (const d of devices) await d.endAsync(true)
    await reader?.stop().catch(() => {})
    await browser?.close()
    await tp?.dispose()
  })

  it('serves the consoles at / with a strict content policy; API paths stay the API\'s', async () => {
    const page = await fetch(`${base}/`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/text\/html/)
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    expect(await page.text()).toContain('<div id="app"></div>')
    const api = await fetch(`${base}/buildings`)
    expect(api.status).toBe(401)
    expect((await fetch(`${base}/.source-hash`)).status).toBe(404)
  })

  it('a landlord signs in, sees only their own building, registers a tenant through the form, and the card opens the door', async () => {
    // A simulated reader at the building's gate, holding the allow-list the platform syncs to it.
    reader = await startSimReader(tp, 'landlord-li', 'demo-b1')
    expect(await reader.present({ kind: 'card', value: '5a6b7c8d' }, 'in')).toBe('denied')
    const listBefore = reader.allowlistVersion

    const c = await openConsole(browser, base)
    const { page } = c
    await expect(page.locator('h2').first().textContent()).resolves.toBe('登录')
    await signIn(c, 'landlord-li')
    await page.getByRole('heading', { name: '我的楼栋' }).waitFor()
    const names = await page.locator('table tbody tr td:first-child').allTextContents()
    expect(names).toEqual(['Lianhua Lane 8'])

    await page.getByRole('link', { name: 'Lianhua Lane 8' }).click()
    await page.getByRole('heading', { name: '房间' }).waitFor()
    const rooms = await callApi(tp, 'landlord-li', 'GET', '/buildings/demo-b1/rooms')
    const room = rooms.body[0]
    await page.getByRole('link', { name: room.number, exact: true }).click()
    await page.getByRole('link', { name: '登记新住户' }).click()

    const idNumber = residentIdNumber(7001)
    await page.locator('input[name=name]').fill('测试住户')
    // A mistyped check character is caught as it is typed; the submit button waits for a valid number.
    const wrong = idNumber.slice(0, 17) + (idNumber[17] === '1' ? '2' : '1')
    await page.locator('input[name=idNumber]').fill(wrong)
    await expect(page.locator('#id-check').textContent()).resolves.toContain('校验位不符')
    await expect(page.getByRole('button', { name: '提交登记' }).isDisabled()).resolves.toBe(true)
    await page.locator('input[name=idNumber]').fill(idNumber)
    await expect(page.locator('#id-check').textContent()).resolves.toBe('号码格式与校验位正确')
    await page.locator('input[name=permitValidUntil]').fill('2027-06-30')
    await page.locator('input[name=credentialValue]').fill('5a6b7c8d')
    await page.getByRole('button', { name: '提交登记' }).click()
    await page.getByRole('heading', { name: '测试住户 已登记' }).waitFor()

    const regs = await callApi(tp, 'landlord-li', 'GET', `/rooms/${room.id}/registrations`)
    const mine = regs.body.find((r: { resident: { name: string } }) => r.resident.name === '测试住户')
    expect(mine).toMatchObject({ status: 'active', permitValidUntil: '2027-06-30' })
    const creds = await callApi(tp, 'landlord-li', 'GET', `/registrations/${mine.id}/credentials`)
    expect(creds.body).toMatchObject([{ kind: 'card', value: '…7C8D', status: 'active' }])
    // The card reaches the reader and opens the door.
    await until('the reader receives the new card', () => reader!.allowlistVersion > listBefore, 5000)
    expect(await reader.present({ kind: 'card', value: '5a6b7c8d' }, 'in')).toBe('granted')
    await expectClean(c)
    await c.context.close()
  })

  it('another landlord sees nothing of it', async () => {
    const c = await openConsole(browser, base)
    await signIn(c, 'landlord-wang')
    await c.page.getByRole('heading', { name: '我的楼栋' }).waitFor()
    await c.page.locator('table, p:has-text("还没有")').first().waitFor()
    expect(await c.page.content()).not.toContain('Lianhua Lane 8')
    // Typing the address of the other building's page shows the refusal, not the building.
    await c.page.goto(`${base}/#/landlord/buildings/demo-b1`)
    await c.page.locator('[role=alert]').waitFor()
    expect(await c.page.content()).not.toContain('8 Lianhua Lane')
    await c.context.close()
  })

  it('an unknown card at the door reaches the dispatch queue live, without a reload, in English too', async () => {
    const c = await openConsole(browser, base, { lang: 'en' })
    await signIn(c, 'police-zumiao')
    await c.page.getByRole('heading', { name: /Alert queue/ }).waitFor()
    await c.page.getByText('Live updates on').waitFor()
    // The card the reader turned away before it was registered raised one already.
    const rows = c.page.locator('tr.sev', { hasText: 'Unregistered card' })
    const already = await rows.count()

    const details = await provisionReader(tp, 'landlord-li', 'demo-b1')
    const { client } = await connectReader(details)
    devices.push(client)
    const accessTopic = details.publish.find((t) => t.endsWith('/event/access'))!
    const swipe = { ...sampleUplinks()['event/access'], eventId: 'console-smoke-1', seq: 1, ts: new Date().toISOString(), credential: { kind: 'card', value: 'DEADBEEF01' }, result: 'denied' }
    await client.publishAsync(accessTopic, JSON.stringify(swipe), { qos: 1 })
    await until('the new alert in the queue', async () => await rows.count() > already, 5000)
    expect(await rows.first().textContent()).toContain('Lianhua Lane 8')
    await expectClean(c)
    await c.context.close()
  })
})
