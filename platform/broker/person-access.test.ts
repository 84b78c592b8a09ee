// People on the broker (dispatch connections) against a real broker on a real
// socket: login with an API token, the alert ACL, no publishing, the token
// re-check, and what publishAlert reaches.

import type { Client } from 'aedes'
import type { MqttClient } from 'mqtt'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { alertTopic } from '../../protocol/index.ts'
import { createAuthorizeForward } from './authorize-subscribe.ts'
import { personMayReceive, personMaySubscribe } from './authorize-person.ts'
import { eventually, sleep, startHarness, type Harness, type TestPerson } from './broker.test-kit.ts'
import { DeviceSessions } from './device-session.ts'

const RECHECK_MS = 100
const S1 = '/d1/s1/'
const TOPIC_S1 = alertTopic('/d1/s1/c1/g1/', 'b1')
const TOPIC_S1_C2 = alertTopic('/d1/s1/c2/g7/', 'b5')
const TOPIC_S2 = alertTopic('/d2/s2/c3/g3/', 'b9')

let h: Harness
let police: TestPerson
beforeEach(async () => {
  h = await startHarness({ personRecheckMs: RECHECK_MS, throttle: { pair: { maxFailures: 5, baseBlockMs: 30_000 } } })
  police = h.people.add('police-s1', 'police', S1)
})
afterEach(async () => {
  await h.stop()
})

function collect (client: MqttClient): string[] {
  const got: string[] = []
  client.on('message', (topic) => got.push(topic))
  return got
}

const subackOf = (client: MqttClient, filter: string): Promise<number[]> =>
  client.subscribeAsync(filter, { qos: 1 }).then(
    (granted) => granted.map((g) => g.qos as number),
    (e: { packet?: { granted: number[] } }) => e.packet?.granted ?? [],
  )

const closed = (client: MqttClient): Promise<void> => new Promise((resolve) => {
  if (!client.connected) resolve()
  client.once('close', () => resolve())
})

describe('people: authenticate', () => {
  it('accepts police with a live API token as user:<username>, client id dispatch:<username>[:<tag>]', async () => {
    await h.person(police)
    await h.person(police, { clientId: 'dispatch:police-s1:console-2' })
    await eventually(() => h.broker.stats.totals().connectedPeople === 2)
    const line = h.logs.find((l) => l.msg === 'person authenticated')
    expect(line).toMatchObject({ username: 'police-s1', role: 'police', areaPath: S1 })
    expect(JSON.stringify(h.logs)).not.toContain(police.token)
    expect(h.broker.stats.totals().trackedDevices).toBe(0)
  })

  it('refuses an unknown or revoked token with 4, then refuses the guessing address for that account only', async () => {
    const other = h.people.add('police-other', 'police', S1)
    h.people.revoke(other.token)
    for (let i = 0; i < 5; i++) expect(await h.personRefusal({ ...police, token: `guess-${i}` })).toBe(4)
    const lookups = h.people.lookups
    expect(await h.personRefusal(police)).toBe(5)
    expect(h.people.lookups).toBe(lookups) // blocked before the lookup
    expect(h.broker.stats.totals().refusedConnections).toEqual({ bad_token: 5, throttled: 1 })
    expect(await h.personRefusal(other)).toBe(4)
    h.clock.t += 30_000
    await h.person(police)
  })

  it("refuses another account's token for this user name with 4", async () => {
    const admin = h.people.add('root', 'admin')
    expect(await h.personRefusal({ username: 'police-s1', token: admin.token })).toBe(4)
  })

  it.each([['landlord'], ['vendor']])('refuses a %s with 5 (landlords use the SSE stream)', async (role) => {
    const p = h.people.add(`a-${role}`, role)
    expect(await h.personRefusal(p)).toBe(5)
    expect(h.broker.stats.totals().refusedConnections).toEqual({ role_not_allowed: 1 })
  })

  it('refuses police without a valid area with 5', async () => {
    expect(await h.personRefusal(h.people.add('lost', 'police'))).toBe(5)
    expect(await h.personRefusal(h.people.add('odd', 'grid_worker', '/d1/+/'))).toBe(5)
    expect(h.broker.stats.totals().refusedConnections).toEqual({ no_jurisdiction: 2 })
  })

  it.each([
    ['dispatch-police-s1', 'a prefix that device ids could use'],
    ['police-s1', 'a device-like id'],
    ['dispatch:police-other', "another person's id"],
    ['dispatch:police-s1:', 'an empty tag'],
    ['dispatch:police-s1:a b', 'a tag with a space'],
    ['', 'no id'],
  ])('refuses the client id %j (%s) with 2', async (clientId) => {
    expect(await h.personRefusal(police, { clientId })).toBe(2)
    expect(h.people.lookups).toBe(0)
  })

  it('refuses a client id longer than 64 characters with 2', async () => {
    const long = h.people.add('p'.repeat(30), 'police', S1)
    await h.person(long, { clientId: `dispatch:${long.username}:${'t'.repeat(24)}` })
    expect(await h.personRefusal(long, { clientId: `dispatch:${long.username}:${'t'.repeat(25)}` })).toBe(2)
  })

  it('refuses CleanSession 0, a last will and keep-alive 0 with 5', async () => {
    expect(await h.personRefusal(police, { clean: false })).toBe(5)
    expect(await h.personRefusal(police, { will: { topic: TOPIC_S1, payload: Buffer.from('x'), qos: 0, retain: false } })).toBe(5)
    expect(await h.personRefusal(police, { keepalive: 0 })).toBe(5)
    expect(h.broker.stats.totals().refusedConnections).toEqual({
      persistent_session_not_allowed: 1, will_not_allowed: 1, keepalive_not_allowed: 1,
    })
  })

  it('answers 3 while the accounts cannot be read, without throttling', async () => {
    h.people.failing = true
    for (let i = 0; i < 6; i++) expect(await h.personRefusal(police)).toBe(3)
    h.people.failing = false
    await h.person(police)
  })

  it('refuses every person with 5 on a broker without a person directory', async () => {
    await h.stop()
    h = await startHarness({ people: undefined })
    expect(await h.personRefusal(h.people.add('p', 'police', S1))).toBe(5)
    expect(h.broker.stats.totals().refusedConnections).toEqual({ people_not_enabled: 1 })
  })
})

describe('people: subscribe', () => {
  it.each([
    'rh-alerts/v1/d1/s1/#',
    'rh-alerts/v1/d1/s1/c1/+/+',
    'rh-alerts/v1/d1/s1/+/+/+',
    'rh-alerts/v1/d1/s1/c1/g1/b1',
    'rh-alerts/v1/d1/s1/c1/#',
  ])('grants %s to police of /d1/s1/', async (filter) => {
    const client = await h.person(police)
    expect(await subackOf(client, filter)).toEqual([1])
  })

  it.each([
    ['the district', 'rh-alerts/v1/d1/#'],
    ['a wildcard over streets', 'rh-alerts/v1/d1/+/#'],
    ['a wildcard in place of the district', 'rh-alerts/v1/+/s1/#'],
    ['another street', 'rh-alerts/v1/d2/s2/#'],
    ['the alert root', 'rh-alerts/#'],
    ['everything', '#'],
    ['device commands', 'rh/v1/bldg-01/reader-a/command/+'],
    ['device events', 'rh/v1/+/+/event/access'],
    ['$SYS', '$SYS/#'],
    ['a filter that matches nothing', 'rh-alerts/v1/d1/s1/c1/+'],
    ['a filter deeper than any alert topic', 'rh-alerts/v1/d1/s1/c1/g1/b1/#'],
  ])('refuses %s with SUBACK 0x80 and keeps the connection', async (_what, filter) => {
    const client = await h.person(police)
    expect(await subackOf(client, filter)).toEqual([0x80])
    expect(client.connected).toBe(true)
    expect(h.broker.stats.totals().aclViolations).toEqual({ subscribe_denied: 1 })
  })

  it('grants an administrator the whole alert tree, and nothing else', async () => {
    const client = await h.person(h.people.add('root', 'admin'))
    expect(await subackOf(client, 'rh-alerts/v1/#')).toEqual([1])
    expect(await subackOf(client, '#')).toEqual([0x80])
    expect(await subackOf(client, 'rh/v1/+/+/status')).toEqual([0x80])
  })

  it('refuses a device any alert topic', async () => {
    const device = await h.device(h.directory.add('reader-a'))
    expect(await subackOf(device, 'rh-alerts/v1/#')).toEqual([0x80])
    expect(await subackOf(device, TOPIC_S1)).toEqual([0x80])
  })
})

describe('people: publish', () => {
  it.each([['an alert topic', TOPIC_S1], ['a device topic', 'rh/v1/bldg-01/reader-a/event/access']])(
    'closes the connection of a person who publishes on %s, and counts it', async (_what, topic) => {
      const client = await h.person(police)
      const gone = closed(client)
      client.publish(topic, '{}', { qos: 1 })
      await gone
      expect(h.broker.stats.totals().aclViolations).toEqual({ person_publish: 1 })
      expect(h.sink.calls).toBe(0)
    })
})

describe('publishAlert', () => {
  it('reaches the people of the area only, never a device', async () => {
    const other = h.people.add('police-s2', 'police', '/d2/s2/')
    const grid = h.people.add('grid-c1', 'grid_worker', '/d1/s1/c1/')
    const admin = h.people.add('root', 'admin')
    const inbox: Record<string, string[]> = {}
    for (const [p, filter] of [[police, 'rh-alerts/v1/d1/s1/#'], [other, 'rh-alerts/v1/d2/s2/#'], [grid, 'rh-alerts/v1/d1/s1/c1/#'], [admin, 'rh-alerts/v1/#']] as const) {
      const client = await h.person(p)
      await client.subscribeAsync(filter, { qos: 1 })
      inbox[p.username] = collect(client)
    }
    const device = await h.device(h.directory.add('reader-a'))
    await device.subscribeAsync('rh/v1/bldg-01/reader-a/command/+', { qos: 1 })
    const deviceGot = collect(device)
    for (const topic of [TOPIC_S1, TOPIC_S1_C2, TOPIC_S2]) await h.broker.publishAlert(topic, '{"kind":"opened","alert":{}}')
    await eventually(() => inbox.root!.length === 3)
    await sleep(50)
    expect(inbox).toEqual({
      'police-s1': [TOPIC_S1, TOPIC_S1_C2],
      'police-s2': [TOPIC_S2],
      'grid-c1': [TOPIC_S1],
      root: [TOPIC_S1, TOPIC_S1_C2, TOPIC_S2],
    })
    expect(deviceGot).toEqual([])
  })

  it('publishes nothing outside the alert tree', async () => {
    await expect(h.broker.publishAlert('rh/v1/bldg-01/reader-a/command/open-door', '{}')).rejects.toThrow(RangeError)
    await expect(h.broker.publishAlert('rh-alerts/v1/d1/s1/#', '{}')).rejects.toThrow(RangeError)
  })
})

describe('people: session re-check', () => {
  it('disconnects a person within the re-check interval once the token is revoked', async () => {
    const client = await h.person(police)
    await eventually(() => h.broker.stats.totals().connectedPeople === 1)
    await sleep(RECHECK_MS * 2)
    expect(client.connected).toBe(true) // still valid: checks pass
    const gone = closed(client)
    const revokedAt = Date.now()
    h.people.revoke(police.token)
    await gone
    expect(Date.now() - revokedAt).toBeLessThan(RECHECK_MS + 1000) // the interval, plus slack for a loaded machine
    await eventually(() => h.broker.stats.totals().connectedPeople === 0)
    expect(h.broker.stats.totals().endedPersonSessions).toBe(1)
    expect(h.logs.some((l) => l.msg === 'person session ended, disconnecting' && l.reason === 'session token no longer valid')).toBe(true)
  })

  it('disconnects when the role or the area changed, or the accounts cannot be read', async () => {
    const a = await h.person(police)
    const goneA = closed(a)
    h.people.logins.get(police.token)!.areaPath = '/d1/'
    await goneA
    const grid = h.people.add('grid-c1', 'grid_worker', '/d1/s1/c1/')
    const b = await h.person(grid)
    const goneB = closed(b)
    h.people.failing = true
    await goneB
    expect(h.broker.stats.totals().endedPersonSessions).toBe(2)
  })
})

describe('person policy (pure)', () => {
  it('matches filters and topics against the area path', () => {
    const grid = { areaPath: '/d1/s1/c1/g1/' }
    expect(personMaySubscribe(grid, 'rh-alerts/v1/d1/s1/c1/g1/+')).toBe(true)
    expect(personMaySubscribe(grid, 'rh-alerts/v1/d1/s1/c1/g1/#')).toBe(true)
    expect(personMaySubscribe(grid, 'rh-alerts/v1/d1/s1/c1/#')).toBe(false)
    expect(personMaySubscribe(grid, 'rh-alerts/v1/d1/s1/c1/g1/b#')).toBe(false)
    expect(personMaySubscribe({ areaPath: null }, 'rh-alerts/v1/+/+/+/+/+')).toBe(true)
    expect(personMaySubscribe({ areaPath: '/d1/+/' }, 'rh-alerts/v1/d1/+/#')).toBe(false)
    // A prefix test on whole levels: /d1/s1/ is not inside /d1/s/.
    expect(personMayReceive({ areaPath: '/d1/s/' }, TOPIC_S1)).toBe(false)
    expect(personMayReceive({ areaPath: S1 }, TOPIC_S1)).toBe(true)
    expect(personMayReceive({ areaPath: null }, 'rh/v1/b/d/command/config')).toBe(false)
  })

  it('forwards to a person only the alert topics of their area', () => {
    const sessions = new DeviceSessions()
    const client = {} as Client
    sessions.open(client, '127.0.0.1', 'tcp')
    sessions.setPerson(client, { userId: 'u', username: 'p', role: 'police', areaPath: S1, token: 't' })
    const forward = createAuthorizeForward({ sessions })
    const packet = (topic: string) => ({ cmd: 'publish' as const, topic, payload: Buffer.from('{}'), qos: 1 as const, retain: false, dup: false, brokerId: 'x', brokerCounter: 1 })
    expect(forward(client, packet(TOPIC_S1))).toBeTruthy()
    expect(forward(client, packet(TOPIC_S2))).toBeNull()
    expect(forward(client, packet('rh/v1/b1/d1/command/open-door'))).toBeNull()
    expect(forward(client, packet('$SYS/x/new/clients'))).toBeNull()
  })
})
