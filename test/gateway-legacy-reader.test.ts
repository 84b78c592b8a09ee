// A legacy HTTP-push reader behind the site gateway, against the real
// platform: the gateway holds one device session for it (protocol §5.8),
// answers its "may this card open?" from the allow-list the platform synced,
// reports every decision as the reader's access event, refuses what the
// model cannot read without keeping anything, and while the uplink is down
// still answers and keeps the events in its journal until they are
// acknowledged: each reaches the platform exactly once.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Journal } from '../gateway/journal/journal.ts'
import { SourceSequences } from '../gateway/journal/sequences.ts'
import { connect } from 'node:net'
import { HttpPushListener } from '../gateway/legacy/http-push.ts'
import { TcpLineListener } from '../gateway/legacy/tcp-line.ts'
import { shippedModels } from '../gateway/legacy/reader-model.ts'
import { LegacyReaderSession } from '../gateway/legacy/reader-session.ts'
import { atPointer } from '../gateway/legacy/values.ts'
import { residentIdNumber } from './support/id-numbers.ts'
import { callApi, provisionReader, startTestPlatform, type TestPlatform } from './support/platform.ts'
import { until } from './support/wait.ts'

describe('a legacy HTTP-push reader behind the gateway', () => {
  let tp: TestPlatform
  let dir: string
  let journal: Journal
  let session: LegacyReaderSession
  let listener: HttpPushListener
  let base: string
  let allowlistKey: string | null = null
  const startedAt = new Date(Date.now() - 60_000).toISOString()

  beforeAll(async () => {
    tp = await startTestPlatform('pglite')
    dir = mkdtempSync(join(tmpdir(), 'rh-gw-legacy-'))
    const reg = await callApi(tp, 'landlord-li', 'POST', '/rooms/demo-b1-201/registrations', {
      resident: { name: 'Legacy Tenant', idType: 'resident_id', idNumber: residentIdNumber(7101) },
      credentials: [{ kind: 'card', value: 'C0FFEE12' }],
    })
    expect(reg.status, JSON.stringify(reg.body)).toBe(201)
    const details = await provisionReader(tp, 'landlord-li', 'demo-b1')
    allowlistKey = details.allowlistKey
    journal = await Journal.open({ dir: join(dir, 'journal', details.clientId) })
    session = new LegacyReaderSession({
      url: details.url.replace('localhost', '127.0.0.1'),
      device: { id: details.clientId, buildingId: 'demo-b1', password: details.password, allowlistKey: details.allowlistKey! },
      serial: 'AC200-0042',
      model: shippedModels().get('http-json-push')!,
      site: { doors: { 1: 'main-gate' }, cardsRegisteredAs: 'hex', timeZone: 'Asia/Shanghai' },
      journal,
      sequences: new SourceSequences(join(dir, 'sequences.json')),
      allowlistFile: join(dir, 'allowlist.json'),
    })
    await session.client.start()
    await until('the allow-list at the gateway', () => session.allowlistVersion > 0, 10_000)
    listener = new HttpPushListener(shippedModels().get('http-json-push')!, new Map([['AC200-0042', session]]))
    base = `http://127.0.0.1:${await listener.listen(0, '127.0.0.1')}`
  }, 60_000)

  afterAll(async () => {
    await listener?.close()
    await session?.client.stop()
    await journal?.close()
    await tp?.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  const post = async (path: string, body: unknown): Promise<{ status: number; body: any }> => {
    const r = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) })
    return { status: r.status, body: await r.json() }
  }
  const ask = (cardNo: string) => post('/api/verify', { sn: 'AC200-0042', data: { cardNo, doorNo: 1, inOut: 0 } })
  const doorEvents = async (): Promise<any[]> => {
    const r = await callApi(tp, 'police-zumiao', 'GET', `/buildings/demo-b1/doors/main-gate/events?from=${encodeURIComponent(startedAt)}&to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)
    expect(r.status).toBe(200)
    return r.body as any[]
  }

  it('opens for the registered card, and reports the decision as the reader\'s access event', async () => {
    expect(await ask('c0ffee12')).toEqual({ status: 200, body: { code: 0, open: true } })
    await until('the granted event at the platform', async () => (await doorEvents()).some((e) => e.payload?.result === 'granted' && e.deviceId === session.client.deviceId), 10_000)
    const granted = (await doorEvents()).find((e) => e.payload?.result === 'granted')
    expect(granted.payload.credential.credentialId).toBeTruthy()
  })

  it('turns an unknown card away, and the platform raises its alert', async () => {
    expect(await ask('DEAD0001')).toEqual({ status: 200, body: { code: 0, open: false } })
    await until('the unknown-card alert', async () => {
      const r = await callApi(tp, 'police-zumiao', 'GET', '/alerts?type=unknown_credential&buildingId=demo-b1')
      return (r.body.items as any[]).some((a: any) => a.deviceId === session.client.deviceId)
    }, 10_000)
  })

  it('refuses what the model cannot read, keeping nothing', async () => {
    // What the tests before sent is acknowledged first: the journal then holds nothing, and must still after.
    await until('the journal empty', () => journal.depth === 0, 10_000)
    const before = session.counters.swipes
    expect(await post('/api/swipe', { sn: 'AC200-0042', data: { cardNo: 'c0ffee12', doorNo: 7, inOut: 0, verify: 1 } })).toMatchObject({ status: 400, body: { code: 1, msg: expect.stringMatching(/door "7"/) } })
    expect(await post('/api/swipe', '{not json')).toMatchObject({ status: 400, body: { msg: 'the body is not JSON' } })
    expect(await post('/api/swipe', { sn: 'NOPE', data: {} })).toMatchObject({ status: 400, body: { msg: expect.stringMatching(/no reader with this serial/) } })
    expect((await fetch(`${base}/api/other`, { method: 'POST', body: '{}' })).status).toBe(404)
    expect(journal.depth).toBe(0)
    expect(session.counters.swipes).toBe(before)
    expect(session.counters.refused).toBe(1)
    expect(listener.counters.refused).toBe(3)
  })

  it('with the uplink down still answers from the list it holds, and delivers the kept events once it is back, once each', async () => {
    await session.client.disconnect()
    expect(await ask('c0ffee12')).toMatchObject({ body: { open: true } })
    // The reader's own clock, as its local wall time in the building's zone.
    const time = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', dateStyle: 'short', timeStyle: 'medium' }).format(new Date())
    expect(await post('/api/swipe', { sn: 'AC200-0042', data: { cardNo: 'BEEF0002', doorNo: 1, inOut: 1, verify: 0, failCode: 1, time } })).toEqual({ status: 200, body: { code: 0, msg: 'ok' } })
    expect(session.counters.decidedOffline).toBe(1)
    expect(journal.depth).toBe(2)
    const before = (await doorEvents()).length
    await session.client.reconnect()
    await until('the kept events at the platform', async () => (await doorEvents()).length >= before + 2, 10_000)
    await until('the journal emptied', () => journal.depth === 0, 5000)
    const events = await doorEvents()
    const ids = events.map((e) => e.eventId)
    expect(new Set(ids).size).toBe(ids.length)
    expect(events.find((e) => e.payload?.credential?.value === 'BEEF0002')?.payload).toMatchObject({ result: 'denied', reason: 'unknown_credential', direction: 'out' })
  })

  it('started again while the uplink is down, still opens for the registered card from the list it kept', async () => {
    const model = shippedModels().get('http-json-push')!
    const offlineJournal = await Journal.open({ dir: join(dir, 'journal-restarted') })
    const restarted = new LegacyReaderSession({
      url: 'mqtt://127.0.0.1:1', // no platform there: the uplink is down
      device: { id: session.client.deviceId, buildingId: 'demo-b1', password: 'unused', allowlistKey: allowlistKey! },
      serial: 'AC200-0042', model,
      site: { doors: { 1: 'main-gate' }, cardsRegisteredAs: 'hex', timeZone: 'Asia/Shanghai' },
      journal: offlineJournal,
      sequences: new SourceSequences(join(dir, 'sequences-restarted.json')),
      allowlistFile: join(dir, 'allowlist.json'),
    })
    expect(restarted.allowlistVersion).toBe(session.allowlistVersion)
    const ask = (cardNo: string) => restarted.ask((at) => atPointer({ sn: 'AC200-0042', data: { cardNo, doorNo: 1, inOut: 0 } }, at), Date.now())
    expect((await ask('c0ffee12')).result).toBe('granted')
    expect((await ask('dead0002')).result).toBe('denied')
    expect(restarted.counters.decidedOffline).toBe(2)
    expect(offlineJournal.depth).toBe(2)
    await offlineJournal.close()
  })

  it('a Wiegand line bridge: answers in order, line by line; converts the card; refuses stray lines', async () => {
    const details = await provisionReader(tp, 'landlord-li', 'demo-b1')
    const lineJournal = await Journal.open({ dir: join(dir, 'journal', details.clientId) })
    const model = shippedModels().get('wiegand-line-bridge')!
    const bridge = new LegacyReaderSession({
      url: details.url.replace('localhost', '127.0.0.1'),
      device: { id: details.clientId, buildingId: 'demo-b1', password: details.password, allowlistKey: details.allowlistKey! },
      serial: 'BRIDGE01', model,
      site: { doors: { 1: 'main-gate' }, facing: { 'main-gate': 'in' }, cardsRegisteredAs: 'hex', timeZone: 'Asia/Shanghai' },
      journal: lineJournal,
      sequences: new SourceSequences(join(dir, 'sequences.json')),
    })
    const lines = new TcpLineListener(model, new Map([['BRIDGE01', bridge]]))
    try {
      await bridge.client.start()
      await until('the allow-list at the bridge', () => bridge.allowlistVersion > 0, 10_000)
      const port = await lines.listen(0, '127.0.0.1')
      const socket = connect(port, '127.0.0.1')
      let got = ''
      socket.setEncoding('utf8')
      socket.on('data', (c: string) => { got += c })
      // 0xC0FFEE12 is not a Wiegand 26 number: the registered card cannot come over this bridge; an unknown one can.
      const now = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', dateStyle: 'short', timeStyle: 'medium' }).format(new Date()).replace(/\D/g, '')
      socket.write(`ASK,BRIDGE01,1,12,34567\r\nHELLO\r\nEV,BRIDGE01,1,12,34567,D,${now}\r\nASK,BRIDGE01,3,1,2\r\n`)
      await until('four answers', () => got.split('\r\n').length > 4, 10_000)
      const answers = got.split('\r\n').slice(0, 4)
      expect(answers[0]).toBe('DENY')
      expect(answers[1]).toBe('ERR the line is not a message of this model')
      expect(answers[2]).toBe('OK')
      expect(answers[3]).toMatch(/^ERR door: door "3" is not one the site config names/)
      socket.destroy()
      await until('both kept events at the platform', async () => (await doorEvents()).filter((e) => e.deviceId === details.clientId).length === 2, 10_000)
      const seen = (await doorEvents()).filter((e) => e.deviceId === details.clientId)
      expect(seen.map((e) => e.payload.credential.value)).toEqual(['0C8707', '0C8707'])
      expect(lines.counters.refused).toBe(1)
      expect(bridge.counters.refused).toBe(1)
      // A complete line, then an overlong one in the same chunk, its end and another line in the next: each
      // gets its own answer, in order.
      const again = connect(port, '127.0.0.1')
      let more = ''
      again.setEncoding('utf8')
      again.on('data', (c: string) => { more += c })
      again.write(`ASK,BRIDGE01,1,12,34567\r\n${'X'.repeat(1100)}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
      again.write(`${'Y'.repeat(50)}\r\nASK,BRIDGE01,3,1,2\r\n${'Z'.repeat(2000)}\r\nASK,BRIDGE01,1,12,34567\r\n`)
      await until('four more answers', () => more.split('\r\n').length > 4, 10_000)
      expect(more.split('\r\n').slice(0, 4)).toEqual([
        'DENY', 'ERR a line is longer than 1024 characters', 'ERR door: door "3" is not one the site config names for this reader',
        'ERR a line is longer than 1024 characters',
      ])
      await until('the fifth', () => more.split('\r\n').length > 5, 10_000)
      expect(more.split('\r\n')[4]).toBe('DENY')
      again.destroy()
    } finally {
      await lines.close()
      await bridge.client.stop()
      await lineJournal.close()
    }
  })
})
