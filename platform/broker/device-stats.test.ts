import { describe, expect, it } from 'vitest'
import { DeviceStats } from './device-stats.ts'

const T0 = Date.parse('2026-11-20T08:00:00Z')

describe('DeviceStats', () => {
  it('counts per tracked device and in total, with a JSON-safe snapshot', () => {
    const s = new DeviceStats()
    s.track('d1')
    s.connected('d1', T0)
    s.accepted('d1')
    s.accepted('d1')
    s.rejected('d1', { at: T0 + 1000, code: 'not_json', topic: 'rh/v1/b/d1/event/access', message: 'payload is not JSON' })
    s.rejected('d1', { at: T0 + 2000, code: 'schema_invalid', topic: 'rh/v1/b/d1/event/door', message: 'x'.repeat(2000) })
    s.aclViolation('foreign_topic', 'd1')
    s.connectionRefused('bad_secret', 'd1')
    s.disconnected('d1', T0 + 3000)
    const snap = s.device('d1')
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap)
    expect(snap).toMatchObject({
      deviceId: 'd1', connected: false, accepted: 2, rejected: 2,
      rejectedByCode: { not_json: 1, schema_invalid: 1 },
      aclViolations: 1, authFailures: 1,
      lastConnectedAt: '2026-11-20T08:00:00.000Z', lastDisconnectedAt: '2026-11-20T08:00:03.000Z',
    })
    expect(snap.lastRejected).toMatchObject({ at: '2026-11-20T08:00:02.000Z', code: 'schema_invalid', topic: 'rh/v1/b/d1/event/door' })
    expect(snap.lastRejected!.message.length).toBeLessThanOrEqual(512)
    expect(s.totals()).toEqual({
      accepted: 2,
      rejected: { not_json: 1, schema_invalid: 1 },
      aclViolations: { foreign_topic: 1 },
      refusedConnections: { bad_secret: 1 },
      guardViolations: {},
      connectedDevices: 0,
      trackedDevices: 1,
      connectedPeople: 0,
      endedPersonSessions: 0,
    })
  })

  it('returns an all-zero snapshot for a device never tracked', () => {
    expect(new DeviceStats().device('nobody')).toEqual({
      deviceId: 'nobody', connected: false, accepted: 0, rejected: 0, rejectedByCode: {}, lastRejected: null,
      aclViolations: 0, authFailures: 0, lastConnectedAt: null, lastDisconnectedAt: null,
    })
  })

  it('counts unknown client ids in the totals only, so a spray cannot grow the table', () => {
    const s = new DeviceStats()
    for (let i = 0; i < 10_000; i++) {
      s.connectionRefused('unknown_device', `ghost-${i}`)
      s.aclViolation('not_authenticated', `ghost-${i}`)
    }
    s.guardViolation('invalid_utf8')
    expect(s.totals()).toMatchObject({ trackedDevices: 0, refusedConnections: { unknown_device: 10_000 }, guardViolations: { invalid_utf8: 1 } })
    expect(s.has('ghost-1')).toBe(false)
  })

  it('keeps at most maxDevices entries, dropping the least recently touched disconnected one', () => {
    const s = new DeviceStats({ maxDevices: 3 })
    s.connected('live', T0)
    s.track('a')
    s.track('b')
    s.accepted('a') // touch a: b is now the oldest disconnected entry
    s.track('c')
    expect(['live', 'a', 'b', 'c'].filter((id) => s.has(id))).toEqual(['live', 'a', 'c'])
    expect(s.totals()).toMatchObject({ trackedDevices: 3, connectedDevices: 1 })
  })

  it('tracks overlapping connections of one device (session takeover) as one connected device', () => {
    const s = new DeviceStats()
    s.connected('d', T0)
    s.connected('d', T0 + 1)
    s.disconnected('d', T0 + 2)
    expect(s.device('d').connected).toBe(true)
    expect(s.totals().connectedDevices).toBe(1)
    s.disconnected('d', T0 + 3)
    expect(s.device('d').connected).toBe(false)
    expect(s.totals().connectedDevices).toBe(0)
  })
})
