// The grid worker's pages on a phone (390 x 844): grid-chen sees the houses of
// the Lianhua community with their rooms and residents (ID numbers masked),
// and acknowledges an alert raised at a door, with a note, from its card.
// Nothing is wider than the screen.

import type { MqttClient } from 'mqtt'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sampleUplinks } from '../../protocol/index.ts'
import { expectClean, expectNoSideScroll, launchBrowser, openConsole, signIn } from '../support/browser.ts'
import { connectReader } from '../support/mqtt-device.ts'
import { callApi, provisionReader, startTestPlatform, type TestPlatform } from '../support/platform.ts'

const SHOTS = '/tmp/ui-grid-admin-shots'

describe('the grid worker on a phone', () => {
  let tp: TestPlatform
  let browser: Browser
  let base: string
  const devices: MqttClient[] = []
  beforeAll(async () => {
    [tp, browser] = await Promise.all([startTestPlatform('pglite'), launchBrowser()])
    base = tp.platform.addresses.api
  }, 90_000)
  afterAll(async () => {
    for (const d of devices) await d.endAsync(true)
    await browser?.close()
    await tp?.dispose()
  })

  it('sees the houses of their area, and one house with its rooms and masked residents', async () => {
    const c = await openConsole(browser, base, { phone: true })
    const { page } = c
    await signIn(c, 'grid-chen')
    await page.getByRole('heading', { name: /我的告警/ }).waitFor()
    await page.getByRole('link', { name: '网格房屋' }).click()
    await page.getByRole('heading', { name: '网格房屋' }).waitFor()
    const houses = page.locator('ul.grid-cards > li > article')
    await houses.first().waitFor()
    expect(await houses.evaluateAll((as) => as.map((a) => a.getAttribute('aria-label')))).toEqual(['Lianhua Lane 8', 'Lianhua Lane 12'])
    const lane8 = page.getByRole('article', { name: 'Lianhua Lane 8' })
    expect(await lane8.textContent()).toContain('8 Lianhua Lane, Zumiao Street')
    expect(await lane8.textContent()).toContain('2 / 7 人')
    await expectNoSideScroll(page)
    await page.screenshot({ path: `${SHOTS}/grid-houses.png`, fullPage: true })

    await lane8.getByRole('link', { name: 'Lianhua Lane 8' }).click()
    await page.getByRole('heading', { name: '房间与住户' }).waitFor()
    const room101 = page.getByRole('article', { name: '101 房' })
    await expect(room101.textContent()).resolves.toContain('Zhang Wei')
    const text = await room101.textContent()
    expect(text).toContain('44****************')
    expect(text).not.toMatch(/\d{17}[\dX]/)
    await expect(page.getByRole('article', { name: '201 房' }).textContent()).resolves.toContain('空置')
    // No contact of the landlord is known to a grid worker: nothing offers to call one.
    expect(await page.getByRole('link', { name: /电话|呼叫|call/i }).count()).toBe(0)
    await expectNoSideScroll(page)
    await page.screenshot({ path: `${SHOTS}/grid-house.png`, fullPage: true })
    await expectClean(c)
    await c.context.close()
  })

  it('sees a live alert of their grid as a card, and sends on-site feedback once dispatched to it', async () => {
    const c = await openConsole(browser, base, { phone: true })
    const { page } = c
    await signIn(c, 'grid-chen')
    await page.getByRole('heading', { name: /我的告警/ }).waitFor()
    await page.getByText('实时连接正常').waitFor()

    const details = await provisionReader(tp, 'landlord-li', 'demo-b1')
    const { client } = await connectReader(details)
    devices.push(client)
    const accessTopic = details.publish.find((x) => x.endsWith('/event/access'))!
    const swipe = { ...sampleUplinks()['event/access'], eventId: 'grid-phone-1', seq: 1, ts: new Date().toISOString(), credential: { kind: 'card', value: 'DEADBEEF02' }, result: 'denied' }
    await client.publishAsync(accessTopic, JSON.stringify(swipe), { qos: 1 })

    const card = page.getByRole('article', { name: '未登记的卡' })
    await card.waitFor({ timeout: 5000 })
    const cardText = await card.textContent()
    expect(cardText).toContain('Lianhua Lane 8')
    expect(cardText).toContain('8 Lianhua Lane, Zumiao Street')
    expect(cardText).toContain('待处理')
    expect(cardText).toMatch(/\d+ 秒前/)
    await expectNoSideScroll(page)
    await page.screenshot({ path: `${SHOTS}/grid-alerts.png`, fullPage: true })

    // Dispatch sends grid-chen to the site; on a phone they report what they found.
    const alertId = await card.getAttribute('data-alert-id')
    const assigned = await callApi(tp, 'police-zumiao', 'POST', `/alerts/${alertId}/assign`, { assigneeId: tp.userIds['grid-chen'] })
    expect(assigned.status).toBe(200)
    await page.goto(`${base}/#/grid/alerts/${alertId}`)
    await page.locator('textarea[name=note]').fill('已联系房东，马上到现场')
    await page.getByRole('button', { name: '提交处置反馈' }).click()
    await page.getByText('已签收 · 处置反馈').waitFor()
    await page.screenshot({ path: `${SHOTS}/grid-feedback.png`, fullPage: true })

    const a = await callApi(tp, 'grid-chen', 'GET', `/alerts/${alertId}`)
    expect(a.body).toMatchObject({ status: 'acknowledged', stage: 'feedback', assigneeId: tp.userIds['grid-chen'] })
    expect(a.body.history.at(-1)).toMatchObject({ action: 'feedback', note: '已联系房东，马上到现场' })
    await expectNoSideScroll(page)
    await expectClean(c)
    await c.context.close()
  })
})
