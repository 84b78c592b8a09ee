import { describe, expect, it } from 'vitest'
import { detectExpiredCredential } from './expired-credential.ts'
import { detectForeignCredential } from './foreign-credential.ts'
import { detectOutsideWindow } from './outside-window.ts'
import { access, DAY, H, presentedKeyOf, RuleHarness, T0, TestView } from './rules.test-kit.ts'
import { detectUnknownCredential } from './unknown-credential.ts'

const only = [detectUnknownCredential, detectForeignCredential, detectExpiredCredential, detectOutsideWindow]

describe('credential rules', () => {
  it('a registered, valid card raises nothing', () => {
    const view = new TestView()
    view.addResident('r1', 'room1')
    const h = new RuleHarness(view, { only })
    expect(h.feed(access(view, { card: 'C-R1' }))).toEqual([])
  })

  it('an unknown card is one alert per card and building; repeats count on the same key', () => {
    const view = new TestView()
    const h = new RuleHarness(view, { only })
    const a = h.feed(access(view, { card: 'DEADBEEF' }), access(view, { card: 'DEADBEEF', at: T0 + 5000 }), access(view, { card: 'CAFE0001' }))
    expect(a.map((c) => c.type)).toEqual(['unknown_credential', 'unknown_credential', 'unknown_credential'])
    expect(a[0]!.dedupKey).toBe(a[1]!.dedupKey)
    expect(a[2]!.dedupKey).not.toBe(a[0]!.dedupKey)
    expect(a[0]).toMatchObject({ severity: 'warning', buildingId: 'b1', door: 'main', deviceId: 'reader-1' })
    expect(a[0]!.explanation).toContain('…BEEF')
    // The key names the card by its keyed digest: the same card folds, the key reveals nothing of the number.
    expect(a[0]!.dedupKey).toBe(`unknown_credential:b1:${presentedKeyOf('card', 'DEADBEEF')}`)
    expect(a[0]!.dedupKey).toMatch(/^unknown_credential:b1:card:hmac-sha256:[A-Za-z0-9_-]{22}$/)
    expect(JSON.stringify(a)).not.toContain('DEADBEEF')
    expect(a[0]!.evidence).toEqual([expect.stringMatching(/^reader-1\/e\d+$/)])
  })

  it('an unknown card the reader let in is more severe: its allow-list is stale', () => {
    const view = new TestView()
    const h = new RuleHarness(view, { only })
    const [c] = h.feed(access(view, { card: 'DEADBEEF', result: 'granted' }))
    expect(c).toMatchObject({ type: 'unknown_credential', severity: 'major' })
    expect(c!.explanation).toContain('allow-list is out of date')
  })

  it('a wrong PIN is an unknown credential counted per door', () => {
    const view = new TestView()
    const h = new RuleHarness(view, { only })
    const [a, b] = h.feed(access(view, { card: 'entered', kind: 'pin' }), access(view, { card: 'entered', kind: 'pin', door: 'back' }))
    expect(a!.dedupKey).toBe('unknown_credential:b1:pin:main')
    expect(b!.dedupKey).toBe('unknown_credential:b1:pin:back')
  })

  it('a card of another building is foreign, not unknown, and the alert names nothing of that building', () => {
    const view = new TestView()
    view.addRoom('roomX', { buildingId: 'b2' })
    view.addResident('r9', 'roomX')
    const h = new RuleHarness(view, { only })
    const [c, ...rest] = h.feed(access(view, { card: 'C-R9' }))
    expect(rest).toEqual([])
    expect(c).toMatchObject({ type: 'foreign_credential', buildingId: 'b1', door: 'main', deviceId: 'reader-1', dedupKey: `foreign_credential:b1:${presentedKeyOf('card', 'C-R9')}` })
    expect(c!.explanation).toContain('registered to another building')
    // The landlord of b1 sees this alert: no building id, credential, holder or room of b2.
    const text = JSON.stringify(c)
    for (const theirs of ['b2', 'cred-r9', 'r9', 'reg-r9', 'roomX', 'C-R9']) expect(text).not.toContain(theirs)
  })

  it('the card of a departed resident is expired and names the reason', () => {
    const view = new TestView()
    view.addResident('r1', 'room1')
    view.depart('r1')
    const h = new RuleHarness(view, { only })
    const [c, ...rest] = h.feed(access(view, { card: 'C-R1' }))
    expect(rest).toEqual([])
    expect(c).toMatchObject({ type: 'expired_credential', roomId: 'room1', credentialId: 'cred-r1', dedupKey: 'expired_credential:b1:cred-r1' })
    expect(c!.explanation).toContain('deregistered')
  })

  it('an expired residence permit or validity makes the credential expired; before its end it is fine', () => {
    const view = new TestView()
    view.addResident('r1', 'room1', { permitValidUntil: T0 + DAY })
    view.addCredential({ credentialId: 'c2', value: 'AAAA0002', buildingId: 'b1', roomId: 'room1', validUntil: T0 + H, visitor: true })
    const h = new RuleHarness(view, { only })
    expect(h.feed(access(view, { card: 'C-R1', at: T0 + DAY - 1 }), access(view, { card: 'AAAA0002', at: T0 + H - 1 }))).toEqual([])
    const after = h.feed(access(view, { card: 'C-R1', at: T0 + DAY + 1 }), access(view, { card: 'AAAA0002', at: T0 + H + 1 }))
    expect(after.map((c) => [c.type, c.credentialId])).toEqual([['expired_credential', 'cred-r1'], ['expired_credential', 'c2']])
    expect(after[0]!.explanation).toContain('residence permit')
    expect(after[1]!.explanation).toContain('validity ended')
  })

  it('time windows are judged in the building time zone, including windows past midnight', () => {
    const view = new TestView()
    // T0 is Monday 16:00 in Shanghai. Weekdays 08:00-18:00, and Monday 22:00-06:00.
    view.addResident('r1', 'room1', { windows: [{ days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' }, { days: [1], from: '22:00', to: '06:00' }] })
    const h = new RuleHarness(view, { only })
    expect(h.feed(access(view, { card: 'C-R1', at: T0 }))).toEqual([]) // Mon 16:00
    expect(h.feed(access(view, { card: 'C-R1', at: T0 + 9 * H }))).toEqual([]) // Tue 01:00, in Monday's night window
    const [late] = h.feed(access(view, { card: 'C-R1', at: T0 + 4 * H, result: 'denied' })) // Mon 20:00
    expect(late).toMatchObject({ type: 'outside_window', severity: 'info', credentialId: 'cred-r1' })
    const [weekend] = h.feed(access(view, { card: 'C-R1', at: T0 + 5 * DAY })) // Sat 16:00, granted
    expect(weekend).toMatchObject({ type: 'outside_window', severity: 'warning' })
  })
})
