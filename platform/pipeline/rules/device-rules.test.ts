import { describe, expect, it } from 'vitest'
import { detectClockDrift } from './clock-drift.ts'
import { detectDeviceOffline } from './device-offline.ts'
import { detectDoorForced } from './door-forced.ts'
import { detectDoorHeldOpen } from './door-held-open.ts'
import { door, heartbeat, MIN, RuleHarness, S, status, T0, TestView, tick } from './rules.test-kit.ts'
import { detectTamper } from './tamper.ts'

describe('door events', () => {
  it('a forced door is a critical incident per door; every forcing counts on it', () => {
    const h = new RuleHarness(new TestView(), { only: [detectDoorForced] })
    const [a, b] = h.feed(door('forced_open'), door('forced_open', { at: T0 + MIN }))
    expect(a).toMatchObject({ type: 'door_forced', severity: 'critical', dedupKey: 'door_forced:b1:main' })
    expect(b!.dedupKey).toBe(a!.dedupKey)
    expect(h.feed(door('opened'), door('closed'))).toEqual([])
  })

  it('a door held open is raised once, follows how long it has been open, and is resolved when it closes', () => {
    const h = new RuleHarness(new TestView(), { only: [detectDoorHeldOpen] })
    const [a] = h.feed(door('held_open', { durationS: 60 }))
    expect(a).toMatchObject({ type: 'door_held_open', severity: 'warning', level: 60 })
    expect(a!.explanation).toContain('60 s')
    const [longer] = h.feed(door('held_open', { durationS: 120 }))
    expect(longer).toMatchObject({ updates: true, level: 120, dedupKey: a!.dedupKey })
    expect(longer!.explanation).toContain('120 s')
    expect(h.feed(door('held_open', { durationS: 120 }))).toEqual([])
    const [c] = h.feed(door('closed', { durationS: 130 }))
    expect(c).toMatchObject({ clears: true, dedupKey: 'door_held_open:b1:main' })
    expect(h.feed(door('closed'))).toEqual([])
  })

  it('tamper is critical, one alert per device', () => {
    const h = new RuleHarness(new TestView(), { only: [detectTamper] })
    const [a, b] = h.feed(door('tamper'), door('tamper', { deviceId: 'reader-2' }))
    expect(a).toMatchObject({ type: 'tamper', severity: 'critical', dedupKey: 'tamper:reader-1' })
    expect(b!.dedupKey).toBe('tamper:reader-2')
  })
})

describe('device offline', () => {
  const params = { heartbeatS: 60, missedHeartbeats: 3 }

  it('the last will raises it at once; the next message resolves it', () => {
    const view = new TestView()
    view.addDevice('reader-1')
    const h = new RuleHarness(view, { only: [detectDeviceOffline], params })
    const [a] = h.feed(status('offline', { reason: 'lwt' }))
    expect(a).toMatchObject({ type: 'device_offline', severity: 'major', deviceId: 'reader-1', door: 'main' })
    expect(a!.explanation).toContain('last will')
    const [c] = h.feed(status('online', { at: T0 + MIN }))
    expect(c).toMatchObject({ clears: true, dedupKey: 'device_offline:reader-1' })
  })

  it('missed heartbeats raise it on the clock; a reboot announcement alone does not', () => {
    const view = new TestView()
    view.addDevice('reader-1')
    const h = new RuleHarness(view, { only: [detectDeviceOffline], params })
    h.feed(heartbeat({ at: T0 }))
    expect(h.feed(status('offline', { reason: 'reboot', at: T0 + S }))).toEqual([])
    expect(h.feed(tick(T0 + 3 * MIN - S))).toEqual([])
    const [a] = h.feed(tick(T0 + 3 * MIN + 2 * S)) // three intervals after the reboot notice, its last message
    expect(a).toMatchObject({ type: 'device_offline', deviceId: 'reader-1' })
    expect(a!.explanation).toContain('has sent nothing since')
    expect(h.feed(tick(T0 + 4 * MIN))).toEqual([])
    expect(h.feed(heartbeat({ at: T0 + 5 * MIN }))).toEqual([expect.objectContaining({ clears: true })])
  })

  it('a disabled or removed device is not reported offline', () => {
    const view = new TestView()
    view.addDevice('reader-1', { enabled: false })
    const h = new RuleHarness(view, { only: [detectDeviceOffline], params })
    h.feed(heartbeat({ at: T0 }), heartbeat({ at: T0, deviceId: 'gone' }))
    expect(h.feed(tick(T0 + 10 * MIN))).toEqual([])
  })
})

describe('device offline on an operator\'s order', () => {
  const params = { heartbeatS: 60, missedHeartbeats: 3 }

  it('a disable is an info record, open while disabled, resolved when enabled again; silence counts afresh', () => {
    const view = new TestView()
    const d = view.addDevice('reader-1')
    const h = new RuleHarness(view, { only: [detectDeviceOffline], params })
    h.feed(heartbeat({ at: T0 }))
    d.enabled = false // the view knows before the status arrives (view-refresher.ts)
    const [a] = h.feed(status('offline', { reason: 'disabled', at: T0 + S }))
    expect(a).toMatchObject({ type: 'device_offline', severity: 'info', dedupKey: 'device_offline:reader-1' })
    expect(a!.explanation).toContain('disabled by an operator')
    expect(h.feed(tick(T0 + 60 * MIN))).toEqual([]) // neither resolved nor escalated while disabled
    d.enabled = true
    const [c] = h.feed(tick(T0 + 61 * MIN))
    expect(c).toMatchObject({ clears: true, dedupKey: 'device_offline:reader-1' })
    // The allowance runs from the re-enabling, not from the last message an hour ago.
    expect(h.feed(tick(T0 + 61 * MIN + 2 * MIN))).toEqual([])
    expect(h.feed(tick(T0 + 61 * MIN + 3 * MIN + S))).toEqual([expect.objectContaining({ severity: 'major' })])
  })

  it('a rotated secret is a warning, resolved by the next message', () => {
    const view = new TestView()
    view.addDevice('reader-1')
    const h = new RuleHarness(view, { only: [detectDeviceOffline], params })
    const [a] = h.feed(status('offline', { reason: 'secret_rotated' }))
    expect(a).toMatchObject({ severity: 'warning' })
    expect(a!.explanation).toContain('secret was rotated')
    expect(h.feed(status('online', { at: T0 + MIN }))).toEqual([expect.objectContaining({ clears: true })])
  })
})

describe('clock drift', () => {
  it('raises when a heartbeat is more than the limit off the platform clock, resolves when back', () => {
    const h = new RuleHarness(new TestView(), { only: [detectClockDrift], params: { clockDriftMaxS: 5 } })
    expect(h.feed(heartbeat({ at: T0 + 4 * S, receivedAt: T0 }))).toEqual([])
    const [a] = h.feed(heartbeat({ at: T0 - 8 * S, receivedAt: T0 + MIN }))
    expect(a).toMatchObject({ type: 'clock_drift', severity: 'warning', deviceId: 'reader-1' })
    expect(a).toMatchObject({ level: -68 })
    expect(a!.explanation).toContain('68.0 s behind')
    // Within the limit of what the alert says: no news.
    expect(h.feed(heartbeat({ at: T0 + 90 * S - 71 * S, receivedAt: T0 + 90 * S }))).toEqual([])
    const [moved] = h.feed(heartbeat({ at: T0 + 2 * MIN + 20 * S, receivedAt: T0 + 2 * MIN }))
    expect(moved).toMatchObject({ updates: true, level: 20, dedupKey: 'clock_drift:reader-1' })
    expect(moved!.explanation).toContain('20.0 s ahead of')
    const [c] = h.feed(status('online', { at: T0 + 3 * MIN, receivedAt: T0 + 3 * MIN }))
    expect(c).toMatchObject({ clears: true, dedupKey: 'clock_drift:reader-1' })
  })
})
