import { describe, expect, it } from 'vitest'
import { detectOvercrowdingObserved } from './overcrowding-observed.ts'
import { detectOvercrowdingRegistered } from './overcrowding-registered.ts'
import { detectResidentNotSeen } from './resident-not-seen.ts'
import { detectRoomVacant } from './room-vacant.ts'
import { PipelineState } from '../state.ts'
import { access, DAY, H, MIN, RuleHarness, T0, TestView, tick } from './rules.test-kit.ts'
import { detectVisitorOverstay } from './visitor-overstay.ts'

describe('overcrowding by the register', () => {
  it('is raised once on a sweep while registrations exceed capacity and resolved when they no longer do', () => {
    const view = new TestView()
    view.addRoom('room1', { capacity: 2 })
    view.addResident('r1', 'room1')
    view.addResident('r2', 'room1')
    const h = new RuleHarness(view, { only: [detectOvercrowdingRegistered] })
    expect(h.feed(tick(T0))).toEqual([])
    view.addResident('r3', 'room1')
    expect(h.feed(tick(T0 + MIN, false))).toEqual([]) // only sweeps look
    const [c] = h.feed(tick(T0 + 2 * MIN))
    expect(c).toMatchObject({ type: 'overcrowding_registered', roomId: 'room1', dedupKey: 'overcrowding_registered:room1', severity: 'major' })
    expect(c!.explanation).toContain('3 registered residents for a capacity of 2')
    expect(h.feed(tick(T0 + 3 * MIN))).toEqual([])
    view.depart('r3')
    const [cleared] = h.feed(tick(T0 + 4 * MIN))
    expect(cleared).toMatchObject({ clears: true, dedupKey: c!.dedupKey })
    expect(h.feed(tick(T0 + 5 * MIN))).toEqual([])
  })

  it('updates the raised alert when registrations or the capacity change while the room stays over it', () => {
    const view = new TestView()
    view.addRoom('room1', { capacity: 1 })
    view.addResident('r1', 'room1')
    view.addResident('r2', 'room1')
    const h = new RuleHarness(view, { only: [detectOvercrowdingRegistered] })
    expect(h.feed(tick(T0))).toMatchObject([{ level: 2 }])
    view.addResident('r3', 'room1')
    const [worse] = h.feed(tick(T0 + MIN))
    expect(worse).toMatchObject({ updates: true, level: 3, dedupKey: 'overcrowding_registered:room1' })
    expect(worse!.explanation).toContain('3 registered residents for a capacity of 1')
    expect(h.feed(tick(T0 + 2 * MIN))).toEqual([])
    view.rooms.set('room1', { ...view.rooms.get('room1')!, capacity: 2 })
    const [capacity] = h.feed(tick(T0 + 3 * MIN))
    expect(capacity).toMatchObject({ updates: true, level: 3 })
    expect(capacity!.explanation).toContain('for a capacity of 2')
  })
})

describe('overcrowding by observation', () => {
  it('counts the people of a room inside, by their latest passage, and resolves when enough have left', () => {
    const view = new TestView()
    view.addRoom('room1', { capacity: 2 })
    view.addResident('r1', 'room1')
    view.addResident('r2', 'room1')
    view.addVisitor('v1', 'room1')
    const h = new RuleHarness(view, { only: [detectOvercrowdingObserved] })
    expect(h.feed(access(view, { card: 'C-R1' }), access(view, { card: 'C-R2', at: T0 + MIN }))).toEqual([])
    const [c] = h.feed(access(view, { card: 'QR-v1', kind: 'qr', at: T0 + 2 * MIN }))
    expect(c).toMatchObject({ type: 'overcrowding_observed', roomId: 'room1', severity: 'major' })
    expect(c!.evidence).toHaveLength(3)
    expect(c!.explanation).toContain('3 people of room ROOM1 are inside')
    // The same resident swiping in again changes nothing.
    expect(h.feed(access(view, { card: 'C-R1', at: T0 + 3 * MIN }))).toEqual([])
    const [cleared] = h.feed(access(view, { card: 'QR-v1', kind: 'qr', direction: 'out', at: T0 + 4 * MIN }))
    expect(cleared).toMatchObject({ clears: true, dedupKey: 'overcrowding_observed:room1' })
  })

  it('updates the raised alert as people come and go while the room stays over capacity', () => {
    const view = new TestView()
    view.addRoom('room1', { capacity: 2 })
    for (const r of ['r1', 'r2', 'r3', 'r4']) view.addResident(r, 'room1')
    const h = new RuleHarness(view, { only: [detectOvercrowdingObserved] })
    h.feed(access(view, { card: 'C-R1' }), access(view, { card: 'C-R2', at: T0 + MIN }))
    const [raised] = h.feed(access(view, { card: 'C-R3', at: T0 + 2 * MIN }))
    expect(raised).toMatchObject({ level: 3 })
    expect(raised!.updates).toBeUndefined()
    const [worse] = h.feed(access(view, { card: 'C-R4', at: T0 + 3 * MIN }))
    expect(worse).toMatchObject({ type: 'overcrowding_observed', updates: true, level: 4, dedupKey: 'overcrowding_observed:room1' })
    expect(worse!.explanation).toContain('4 people of room ROOM1 are inside')
    expect(worse!.evidence).toHaveLength(4)
    // Someone inside swiping in again changes nothing.
    expect(h.feed(access(view, { card: 'C-R4', at: T0 + 4 * MIN }))).toEqual([])
    const [better] = h.feed(access(view, { card: 'C-R1', direction: 'out', at: T0 + 5 * MIN }))
    expect(better).toMatchObject({ updates: true, level: 3 })
    const [cleared] = h.feed(access(view, { card: 'C-R2', direction: 'out', at: T0 + 6 * MIN }))
    expect(cleared).toMatchObject({ clears: true })
  })

  it('follows what changes without a passage: a larger capacity, someone inside deregistered (checked on sweeps)', () => {
    const view = new TestView()
    view.addRoom('room1', { capacity: 2 })
    for (const r of ['r1', 'r2', 'r3', 'r4']) view.addResident(r, 'room1')
    const h = new RuleHarness(view, { only: [detectOvercrowdingObserved] })
    h.feed(...['C-R1', 'C-R2', 'C-R3', 'C-R4'].map((card, i) => access(view, { card, at: T0 + i * MIN })))
    expect(h.of('overcrowding_observed').at(-1)).toMatchObject({ level: 4 })
    view.rooms.set('room1', { ...view.rooms.get('room1')!, capacity: 3 })
    const [capacity] = h.feed(tick(T0 + 10 * MIN))
    expect(capacity).toMatchObject({ updates: true, level: 4 })
    expect(capacity!.explanation).toContain('for a capacity of 3')
    expect(h.feed(tick(T0 + 11 * MIN))).toEqual([])
    view.depart('r4')
    expect(h.feed(tick(T0 + 12 * MIN))).toMatchObject([{ clears: true, dedupKey: 'overcrowding_observed:room1' }])
  })

  it('a checkpoint written before visitors had an identity restores: its visitors and raised alerts carry on', () => {
    const view = new TestView()
    view.addRoom('room1', { capacity: 1 })
    view.addResident('r1', 'room1')
    view.addVisitor('v1', 'room1')
    const inside = { roomId: 'room1', buildingId: 'b1', visitor: true, inside: true, passedAt: T0, enteredAt: T0, lastSeenAt: T0 }
    const old = JSON.stringify({
      v: 1,
      persons: [['r1', { ...inside, credentialId: 'cred-r1', visitor: false, entryRef: 'reader-1/e-a' }], ['visitor:v1', { ...inside, credentialId: 'v1', entryRef: 'reader-1/e-b' }]],
      roomLastSeen: [['room1', T0]], devices: [], doors: [], denialRuns: [],
      latched: [['overcrowding_observed:room1', { at: T0, buildingId: 'b1' }]],
    })
    const h = new RuleHarness(view, { only: [detectOvercrowdingObserved], state: PipelineState.restore(old) })
    view.addVisitor('v1-renewed', 'room1', { renews: 'v1' })
    // The alert's text is not known from the checkpoint: the next passage states it again.
    expect(h.feed(access(view, { card: 'QR-v1-renewed', kind: 'qr', direction: 'in', at: T0 + MIN }))).toMatchObject([{ updates: true, level: 2 }])
    expect(h.feed(access(view, { card: 'QR-v1-renewed', kind: 'qr', direction: 'out', at: T0 + 2 * MIN }))).toMatchObject([{ clears: true }])
    expect(h.state.presentIn('room1')).toBe(1)
  })

  it('follows visitors, not passes: in on a renewed pass and out on the old one leaves nobody inside', () => {
    const view = new TestView()
    view.addRoom('room1', { capacity: 2 })
    view.addResident('r1', 'room1')
    view.addResident('r2', 'room1')
    for (const v of ['va', 'vb']) {
      view.addVisitor(`${v}-old`, 'room1', { validUntil: T0 + 2 * DAY })
      view.addVisitor(`${v}-new`, 'room1', { validUntil: T0 + 3 * DAY, renews: `${v}-old` })
    }
    const h = new RuleHarness(view, { only: [detectOvercrowdingObserved] })
    for (const v of ['va', 'vb']) h.feed(access(view, { card: `QR-${v}-new`, kind: 'qr', at: T0 + MIN }))
    for (const v of ['va', 'vb']) h.feed(access(view, { card: `QR-${v}-old`, kind: 'qr', direction: 'out', at: T0 + 2 * MIN }))
    expect(h.state.presentIn('room1')).toBe(0)
    expect(h.feed(access(view, { card: 'C-R1', at: T0 + 3 * MIN }), access(view, { card: 'C-R2', at: T0 + 4 * MIN }))
      .filter((c) => c.clears !== true)).toEqual([])
    expect(h.state.presentIn('room1')).toBe(2)
  })

  it('a passage replayed late does not override a newer one', () => {
    const view = new TestView()
    view.addRoom('room1', { capacity: 1 })
    view.addResident('r1', 'room1')
    view.addResident('r2', 'room1')
    const h = new RuleHarness(view, { only: [detectOvercrowdingObserved] })
    h.feed(access(view, { card: 'C-R1', at: T0 + 2 * MIN, direction: 'out' }))
    // Replayed by a gateway: r1 went in before going out; r1 is still outside.
    h.feed(access(view, { card: 'C-R1', at: T0 + MIN, direction: 'in' }))
    expect(h.feed(access(view, { card: 'C-R2', at: T0 + 3 * MIN }))).toEqual([])
    expect(h.state.presentIn('room1')).toBe(1)
  })
})

describe('visitor overstay', () => {
  it('raises once when a visitor is still inside past the stay limit, resolves when they leave', () => {
    const view = new TestView()
    view.addVisitor('v1', 'room1')
    const h = new RuleHarness(view, { only: [detectVisitorOverstay], params: { visitorMaxStayH: 24 } })
    h.feed(access(view, { card: 'QR-v1', kind: 'qr' }))
    expect(h.feed(tick(T0 + 23 * H))).toEqual([])
    const [c] = h.feed(tick(T0 + 24 * H + MIN))
    expect(c).toMatchObject({ type: 'visitor_overstay', credentialId: 'v1', roomId: 'room1', severity: 'warning' })
    expect(h.feed(tick(T0 + 25 * H))).toEqual([])
    const [cleared] = h.feed(access(view, { card: 'QR-v1', kind: 'qr', direction: 'out', at: T0 + 26 * H }))
    expect(cleared).toMatchObject({ clears: true, dedupKey: c!.dedupKey })
  })

  it('a renewal moves the end of the stay: the latest pass of the visitor counts, whichever they entered on', () => {
    const view = new TestView()
    view.addVisitor('v1', 'room1', { validUntil: T0 + 2 * H })
    const h = new RuleHarness(view, { only: [detectVisitorOverstay] })
    h.feed(access(view, { card: 'QR-v1', kind: 'qr' }))
    view.addVisitor('v1-renewed', 'room1', { validUntil: T0 + 20 * H, renews: 'v1' })
    expect(h.feed(tick(T0 + 3 * H))).toEqual([])
    const [c] = h.feed(tick(T0 + 24 * H + MIN))
    expect(c).toMatchObject({ type: 'visitor_overstay', dedupKey: 'visitor_overstay:v1', roomId: 'room1' })
    // Out on the renewed pass: the same visitor left.
    const [cleared] = h.feed(access(view, { card: 'QR-v1-renewed', kind: 'qr', direction: 'out', at: T0 + 25 * H }))
    expect(cleared).toMatchObject({ clears: true, dedupKey: 'visitor_overstay:v1' })
  })

  it('an overstay by the end of the pass clears when the pass is renewed while the visitor is inside', () => {
    const view = new TestView()
    view.addVisitor('v1', 'room1', { validUntil: T0 + 2 * H })
    const h = new RuleHarness(view, { only: [detectVisitorOverstay] })
    h.feed(access(view, { card: 'QR-v1', kind: 'qr' }))
    expect(h.feed(tick(T0 + 2 * H + MIN))).toHaveLength(1)
    view.addVisitor('v1-renewed', 'room1', { validUntil: T0 + 20 * H, renews: 'v1' })
    const [cleared] = h.feed(tick(T0 + 2 * H + 2 * MIN))
    expect(cleared).toMatchObject({ clears: true, dedupKey: 'visitor_overstay:v1' })
  })

  it('the end of the pass comes first when it is earlier than the stay limit', () => {
    const view = new TestView()
    view.addVisitor('v1', 'room1', { validUntil: T0 + 2 * H })
    const h = new RuleHarness(view, { only: [detectVisitorOverstay] })
    h.feed(access(view, { card: 'QR-v1', kind: 'qr' }))
    expect(h.feed(tick(T0 + 2 * H - MIN))).toEqual([])
    expect(h.feed(tick(T0 + 2 * H + MIN))).toHaveLength(1)
  })
})

describe('resident not seen (deregister on departure)', () => {
  it('suggests deregistration after N days without a passage, counted from arrival or the last passage', () => {
    const view = new TestView()
    view.addResident('r1', 'room1', { arrivedAt: T0 })
    view.addResident('r2', 'room1', { arrivedAt: T0 })
    const h = new RuleHarness(view, { only: [detectResidentNotSeen], params: { notSeenDays: 30 } })
    h.feed(access(view, { card: 'C-R2', at: T0 + 10 * DAY }))
    expect(h.feed(tick(T0 + 29 * DAY))).toEqual([])
    const found = h.feed(tick(T0 + 31 * DAY))
    expect(found.map((c) => c.residentId)).toEqual(['r1'])
    expect(found[0]).toMatchObject({ type: 'resident_not_seen', severity: 'info', roomId: 'room1' })
    expect(found[0]!.explanation).toContain('never since arrival')
    expect(h.feed(tick(T0 + 41 * DAY)).map((c) => c.residentId)).toEqual(['r2'])
  })

  it('resolves when the resident is seen again or is deregistered', () => {
    const view = new TestView()
    view.addResident('r1', 'room1', { arrivedAt: T0 })
    view.addResident('r2', 'room1', { arrivedAt: T0 })
    const h = new RuleHarness(view, { only: [detectResidentNotSeen], params: { notSeenDays: 30 } })
    expect(h.feed(tick(T0 + 31 * DAY))).toHaveLength(2)
    const [seen] = h.feed(access(view, { card: 'C-R1', at: T0 + 32 * DAY }))
    expect(seen).toMatchObject({ clears: true, dedupKey: 'resident_not_seen:r1' })
    view.depart('r2')
    const [gone] = h.feed(tick(T0 + 33 * DAY))
    expect(gone).toMatchObject({ clears: true, dedupKey: 'resident_not_seen:r2', buildingId: 'b1' })
  })
})

describe('room vacant', () => {
  it('a room where nobody was seen and nothing changed for N days is vacant until someone shows up', () => {
    const view = new TestView()
    view.addRoom('room1', { changedAt: T0 })
    view.addResident('r1', 'room2', { arrivedAt: T0 })
    view.addRoom('room2', { changedAt: T0 })
    const h = new RuleHarness(view, { only: [detectRoomVacant], params: { vacantDays: 90 } })
    h.feed(access(view, { card: 'C-R1', at: T0 + 50 * DAY }))
    expect(h.feed(tick(T0 + 89 * DAY))).toEqual([])
    const found = h.feed(tick(T0 + 91 * DAY))
    expect(found.map((c) => c.roomId)).toEqual(['room1'])
    expect(found[0]).toMatchObject({ type: 'room_vacant', severity: 'info' })
    expect(h.feed(tick(T0 + 141 * DAY)).map((c) => c.roomId)).toEqual(['room2'])
    const [back] = h.feed(access(view, { card: 'C-R1', at: T0 + 142 * DAY }))
    expect(back).toMatchObject({ clears: true, dedupKey: 'room_vacant:room2' })
  })
})
