// The allow-list a reader holds (§7.2, §8.1): syncs applied atomically, and
// decisions by the keyed digest of what was read (windows are
// protocol/time-windows.ts).

import { describe, expect, it } from 'vitest'
import { allowlistKeyId, parseAllowlistKey, presentedDigest, type AllowEntry, type AllowlistSync } from '../index.ts'
import { applySync, decide, EMPTY_ALLOWLIST } from './allowlist.ts'

const TZ = 'Asia/Shanghai'
const at = (s: string): number => Date.parse(s)
const key = parseAllowlistKey('0f'.repeat(32))
const otherKey = parseAllowlistKey('f0'.repeat(32))
const sync = (body: Partial<AllowlistSync>, k = key): AllowlistSync =>
  ({ requestId: 'r', ts: '2026-11-20T00:00:00Z', mode: 'full', version: 1, keyId: allowlistKeyId(k), upsert: [], remove: [], ...body })
/** An entry as the platform sends it to the reader holding `k`. */
const entry = (credentialId: string, kind: AllowEntry['kind'], value: string, extra: Partial<AllowEntry> = {}, k = key): AllowEntry =>
  ({ credentialId, kind, digest: presentedDigest(k, kind, value), ...extra })

describe('allow-list', () => {
  const full = applySync(EMPTY_ALLOWLIST, sync({
    version: 5,
    upsert: [
      entry('card', 'card', '04A1B2C3', { validFrom: '2026-01-01T00:00:00Z', validUntil: '2027-01-01T00:00:00Z' }),
      entry('pin', 'pin', '1234'),
      entry('face', 'face', 'face-1', { windows: [{ days: [1], from: '08:00', to: '09:00' }] }),
    ],
  }), key)

  it('replaces on full, applies a delta on its base version only, and keeps the list on a gap', () => {
    if (!full.ok) throw new Error('full sync refused')
    expect(full.list.version).toBe(5)
    const gap = applySync(full.list, sync({ mode: 'delta', version: 7, baseVersion: 6 }), key)
    expect(gap).toMatchObject({ ok: false, code: 'version_gap' })
    const delta = applySync(full.list, sync({ mode: 'delta', version: 6, baseVersion: 5, remove: ['card', 'unknown'] }), key)
    if (!delta.ok) throw new Error('delta refused')
    expect(delta.list.version).toBe(6)
    expect(delta.list.byId.has('card')).toBe(false)
    expect(full.list.byId.has('card')).toBe(true) // the old list is untouched
    const again = applySync(delta.list, sync({ version: 2 }), key)
    expect(again.ok && again.list.version).toBe(2) // full applies whatever version is held
  })

  it('refuses, and keeps its list, a sync computed with another key, or any sync without a key of its own', () => {
    if (!full.ok) throw new Error('full sync refused')
    const foreign = sync({ version: 9, upsert: [entry('card', 'card', '04A1B2C3', {}, otherKey)] }, otherKey)
    expect(applySync(full.list, foreign, key)).toMatchObject({ ok: false, code: 'wrong_key', message: expect.stringContaining(allowlistKeyId(key)) })
    expect(applySync(full.list, sync({ mode: 'delta', version: 6, baseVersion: 5 }, otherKey), key)).toMatchObject({ ok: false, code: 'wrong_key' })
    expect(applySync(EMPTY_ALLOWLIST, sync({}), undefined)).toMatchObject({ ok: false, code: 'wrong_key' })
    // A reader that does not check the key id takes the foreign list, and then matches nothing on it.
    const taken = applySync(full.list, foreign, key, false)
    if (!taken.ok) throw new Error('not taken')
    expect(decide(taken.list, key, 'card', '04A1B2C3', at('2026-11-23T08:30:00+08:00'), TZ)).toMatchObject({ result: 'denied', reason: 'unknown_credential' })
  })

  it('decides by the digest of what it read, validity, windows and PIN, with the reasons of §7.2', () => {
    if (!full.ok) throw new Error('full sync refused')
    const l = full.list
    const monday0830 = at('2026-11-23T08:30:00+08:00')
    expect(decide(l, key, 'card', '04a1b2c3', monday0830, TZ)).toEqual({ result: 'granted', credentialId: 'card' })
    expect(decide(l, key, 'ic_card', '04A1B2C3', monday0830, TZ)).toMatchObject({ result: 'denied', reason: 'unknown_credential' })
    expect(decide(l, key, 'card', '04A1B2C3', at('2027-01-01T00:00:00Z'), TZ)).toEqual({ result: 'denied', reason: 'expired', credentialId: 'card' })
    expect(decide(l, key, 'pin', '1234', monday0830, TZ)).toEqual({ result: 'granted', credentialId: 'pin' })
    expect(decide(l, key, 'pin', '4321', monday0830, TZ)).toEqual({ result: 'denied', reason: 'wrong_pin' })
    expect(decide(l, key, 'face', 'face-1', monday0830, TZ)).toMatchObject({ result: 'granted' })
    expect(decide(l, key, 'face', 'face-1', at('2026-11-23T09:00:00+08:00'), TZ)).toMatchObject({ result: 'denied', reason: 'outside_window' })
    // The list alone, with another key, opens nothing.
    expect(decide(l, otherKey, 'card', '04A1B2C3', monday0830, TZ)).toMatchObject({ result: 'denied', reason: 'unknown_credential' })
    expect(decide(l, undefined, 'pin', '1234', monday0830, TZ)).toMatchObject({ result: 'denied', reason: 'wrong_pin' })
    const removed = applySync(l, sync({ mode: 'delta', version: 6, baseVersion: 5, remove: ['card'] }), key)
    if (!removed.ok) throw new Error('delta refused')
    expect(decide(removed.list, key, 'card', '04A1B2C3', monday0830, TZ)).toEqual({ result: 'denied', reason: 'revoked' })
  })
})
