// An alert's explanation in the reader's language, end to end: a real reader
// turns away an unknown card, the platform stores the alert with its reason
// (what it says, as data), GET /alerts/:id and the live stream carry it, and
// the dispatch alert page in Chromium words it in Chinese, then in English
// after the switch; a reason with a time shows it in the building's zone; an
// alert of before (no reason) shows its stored explanation.

import type { MqttClient } from 'mqtt'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { says } from '../../contract/alert-wording.ts'
import { LiveStreamReader } from '../../contract/live-stream-reader.ts'
import type { Alert, AlertStreamEvent } from '../../contract/schemas/alerts.ts'
import { sampleUplinks } from '../../protocol/index.ts'
import { expectClean, launchBrowser, openConsole, signIn, type ConsolePage } from '../support/browser.ts'
import { connectReader } from '../support/mqtt-device.ts'
import { callApi, provisionReader, startTestPlatform, type TestPlatform } from '../support/platform.ts'
import { until } from '../support/wait.ts'

describe('alert wording in the consoles', () => {
  let tp: TestPlatform
  let browser: Browser
  let base: string
  let client: MqttClient | undefined
  let stream: LiveStreamReader | undefined
  beforeAll(async () => {
    [tp, browser] = await Promise.all([startTestPlatform('pglite'), launchBrowser()])
    base = tp.platform.addresses.api
  }, 90_000)
  afterAll(async () => {
    stream?.close()
    await client?.endAsync(true)
    await browser?.close()
    await tp?.dispose()
  })

  const openAlert = async (c: ConsolePage, id: string): Promise<string> => {
    // A fresh load each time: a hash change alone would leave the previous alert's text on screen for a moment.
    await c.page.goto('about:blank')
    await c.page.goto(`${base}/#/dispatch/alerts/${id}`)
    await c.page.locator('p.explanation').waitFor()
    return (await c.page.locator('p.explanation').textContent()) ?? ''
  }

  it('words an unknown card\'s alert in Chinese on the dispatch page, from the reason the API and the stream carry', async () => {
    stream = await LiveStreamReader.open({ base, token: tp.tokens['police-zumiao']!, auth: 'header', keep: true })
    const details = await provisionReader(tp, 'landlord-li', 'demo-b1')
    client = (await connectReader(details)).client
    const topic = details.publish.find((t) => t.endsWith('/event/access'))!
    const swipe = {
      ...sampleUplinks()['event/access'], eventId: 'wording-1', seq: 1, ts: new Date().toISOString(),
      credential: { kind: 'card', value: '5A6B7C8D9E' }, result: 'denied',
    }
    await client.publishAsync(topic, JSON.stringify(swipe), { qos: 1 })
    const isOurs = (a: Alert): boolean => a.type === 'unknown_credential' && a.evidence.some((ref) => ref.endsWith('/wording-1'))
    await until('the alert on the stream', () => stream!.messages.some((m) => m.event === 'alert' && isOurs((m.data as AlertStreamEvent).alert)), 5000)
    const streamed = stream.messages.map((m) => (m.data as AlertStreamEvent).alert).find(isOurs)!
    const expected = { code: 'unknown_credential.presented', params: { credential: { kind: 'card', masked: '…8D9E' }, door: swipe.door, result: 'denied' } }
    expect(streamed.reason).toEqual(expected)
    // Never the full card number, in the reason or the explanation.
    expect(JSON.stringify(streamed)).not.toContain('5A6B7C8D9E')

    const got = await callApi(tp, 'police-zumiao', 'GET', `/alerts/${streamed.id}`)
    expect(got.status).toBe(200)
    expect(got.body.reason).toEqual(expected)
    expect(got.body.explanation).toBe(`Unregistered card …8D9E presented at door ${swipe.door}. The reader refused it. Anyone living here must be registered by the landlord.`)

    const c = await openConsole(browser, base)
    await signIn(c, 'police-zumiao')
    expect(await openAlert(c, streamed.id)).toBe(`未登记的门卡 …8D9E 在门 ${swipe.door} 出示。读卡器已拒绝。在此居住的人须由房东登记。`)
    await c.page.screenshot({ path: '/tmp/alert-wording-alert-page-zh.png', fullPage: true })
    await c.page.getByRole('button', { name: /English|语言/ }).click()
    await until('the English wording', async () => (await c.page.locator('p.explanation').textContent())?.startsWith('Unregistered card …8D9E') === true, 3000)
    await c.page.screenshot({ path: '/tmp/alert-wording-alert-page-en.png', fullPage: true })
    await expectClean(c)
    await c.context.close()
  })

  it('shows the times of a reason in the building\'s zone, and an alert of before by its stored explanation', async () => {
    const lastAt = '2026-03-01T10:00:00.000Z' // 18:00 in Asia/Shanghai, the demo building's zone
    const silent = (await tp.platform.alerts.raise({
      type: 'device_offline', severity: 'major', dedupKey: 'device_offline:wording-dev', buildingId: 'demo-b1', door: 'main-gate', deviceId: 'wording-dev',
      evidence: [], at: Date.parse(lastAt) + 120_000,
      ...says('device_offline.silent', { deviceKind: 'reader', device: 'wording-dev', door: 'main-gate', lastAt, heartbeatS: 30 }),
    }))!.alert
    const before = (await tp.platform.alerts.raise({
      type: 'door_forced', severity: 'critical', dedupKey: 'door_forced:demo-b1:wording-old', buildingId: 'demo-b1', door: 'wording-old',
      evidence: [], at: Date.now(), explanation: 'Door wording-old was forced open (written before reasons were kept).',
    } as unknown as Parameters<typeof tp.platform.alerts.raise>[0]))!.alert
    expect(before.reason).toBeNull()

    const c = await openConsole(browser, base)
    await signIn(c, 'police-zumiao')
    const zh = await openAlert(c, silent.id)
    expect(zh).toContain('门 main-gate 的读卡器 wording-dev 自 2026/03/01 18:00:00 起没有发来任何消息')
    await c.page.screenshot({ path: '/tmp/alert-wording-offline-zh.png', fullPage: true })
    expect(await openAlert(c, before.id)).toBe('Door wording-old was forced open (written before reasons were kept).')
    await expectClean(c)
    await c.context.close()

    // The grid worker's cards on a phone: the same words, the same zone.
    const g = await openConsole(browser, base, { phone: true })
    await signIn(g, 'grid-chen')
    const card = g.page.locator(`article[data-alert-id="${silent.id}"] p.grid-explanation`)
    await card.waitFor()
    expect(await card.textContent()).toContain('自 2026/03/01 18:00:00 起没有发来任何消息')
    expect(await g.page.locator(`article[data-alert-id="${before.id}"] p.grid-explanation`).textContent()).toBe(
      'Door wording-old was forced open (written before reasons were kept).')
    await g.page.screenshot({ path: '/tmp/alert-wording-grid-zh.png', fullPage: true })
    await expectClean(g)
    await g.context.close()
  })
})
