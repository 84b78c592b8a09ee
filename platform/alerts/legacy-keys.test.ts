// Alerts of before keyed digests, on both databases: their keys held card
// numbers, and a cross-building alert named the other building's door, device
// and event. The rewrite at start gives them the keys the rules now write, so
// the same card after an upgrade folds into the alert it already had.

import { Writable } from 'node:stream'
import pino from 'pino'
import { beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { presentedKeyOf } from '../pipeline/rules/rules.test-kit.ts'
import { candidate, useAlertWorld } from './alerts.test-kit.ts'
import { LEGACY_ALERT_KEYS_UPGRADE, redactOtherBuilding, rekey, rekeyLegacyAlerts } from './legacy-keys.ts'

describe('rewriting an alert of before', () => {
  it('puts the digest in place of the value, and leaves keys that named no value', () => {
    const a = (type: string, dedupKey: string) => ({ type, dedupKey, buildingId: 'b1' })
    expect(rekey(a('unknown_credential', 'unknown_credential:b1:card:DEADBEEF'), presentedKeyOf)).toBe(`unknown_credential:b1:${presentedKeyOf('card', 'DEADBEEF')}`)
    expect(rekey(a('impossible_travel', 'impossible_travel:b1:qr:QR:with:colons'), presentedKeyOf)).toBe(`impossible_travel:b1:${presentedKeyOf('qr', 'QR:with:colons')}`)
    expect(rekey(a('repeated_denials', 'repeated_denials:cred:b1:card:DEADBEEF'), presentedKeyOf)).toBe(`repeated_denials:cred:b1:${presentedKeyOf('card', 'DEADBEEF')}`)
    expect(rekey(a('foreign_credential', 'foreign_credential:b1:c-1'), presentedKeyOf, { kind: 'card', value: 'CAFE', id: 'c-1' })).toBe(`foreign_credential:b1:${presentedKeyOf('card', 'CAFE')}`)
    for (const kept of [['unknown_credential', 'unknown_credential:b1:pin:main'], ['repeated_denials', 'repeated_denials:door:b1:main'],
      ['repeated_denials', 'repeated_denials:cred:b1:pin:c-9'], ['unknown_credential', `unknown_credential:b1:${presentedKeyOf('card', 'X')}`]] as const) {
      expect(rekey(a(kept[0], kept[1]), presentedKeyOf)).toBeUndefined()
    }
  })

  it('keeps of the other building only that it exists', () => {
    const out = redactOtherBuilding({
      type: 'impossible_travel', dedupKey: 'x', buildingId: 'b1', door: 'east', deviceId: 'b2-r', credentialId: 'c-1', residentId: 'p-1',
      evidence: ['b1-r/e1', 'b2-r/e2'],
      explanation: 'The card …0001 was presented at building b1 (door main) and 3 min later at building b2 (door east); the buildings are ' +
        '10.0 km apart: at least 10 min at 60 km/h. Two cards carry this number: one is probably a copy. It is registered to building b1: check with its holder.',
    }, new Set(['b1-r']))
    expect(out).toEqual({
      door: null, deviceId: null, credentialId: 'c-1', residentId: 'p-1', evidence: ['b1-r/e1'],
      explanation: 'The card …0001 was presented at this building (door main) and 3 min later at another building; sooner than anyone can ' +
        'travel between the two. Two cards carry this number: one is probably a copy. It is registered here: check with its holder.',
    })
    const foreign = redactOtherBuilding({
      type: 'foreign_credential', dedupKey: 'x', buildingId: 'b2', door: 'east', deviceId: 'b2-r', credentialId: 'c-1', residentId: 'p-1', evidence: ['b2-r/e2'],
      explanation: 'The card …0001 presented at door east is registered to building b1, not this one. The reader refused it.',
    }, new Set(['b2-r']))
    expect(foreign).toEqual({
      door: 'east', deviceId: 'b2-r', credentialId: null, residentId: null, evidence: ['b2-r/e2'],
      explanation: 'The card …0001 presented at door east is registered to another building, not this one. The reader refused it.',
    })
  })
})

describe.each(DATABASE_KINDS)('alerts of before keyed digests on %s', (kind) => {
  const f = useAlertWorld(kind)
  // Each test below starts as on a database the upgrade has not run on yet.
  const forget = async (): Promise<void> => {
    await f.t.db.query('delete from platform_upgrades where name = $1', [LEGACY_ALERT_KEYS_UPGRADE])
  }
  const recorded = async (): Promise<boolean> =>
    (await f.t.db.query('select 1 from platform_upgrades where name = $1', [LEGACY_ALERT_KEYS_UPGRADE])).rows.length > 0
  beforeAll(async () => {
    const { t, w } = f
    for (const [id, b] of [['ra', w.bA], ['rb', w.bB]] as const) {
      await t.db.query(`insert into devices (id, building_id, door, kind, vendor, model, secret_hash, provisioned_by)
        values ($1, $2, 'main', 'reader', 'Acme', 'AR-200', 'sha256:x', $3)`, [id, b, w.admin.id])
    }
    await t.db.query(`insert into webhooks (id, url, secret, area_id, area_path, created_by)
      values ('wh-1', 'https://dispatch.example/', 's', 'w-s1', '/w-d1/w-s1/', $1)`, [w.admin.id])
  })

  it('rewrites keys and cross-building details once; the same card then folds into the alert it had', async () => {
    const { t, w, alerts } = f
    const unknown = await alerts.raise(candidate(w.bA, {
      type: 'unknown_credential', severity: 'warning', dedupKey: `unknown_credential:${w.bA}:card:DEADBEEF`, deviceId: 'ra', evidence: ['ra/e1'],
      explanation: 'Unregistered card …BEEF presented at door main. The reader refused it.',
    }))
    const denials = await alerts.raise(candidate(w.bA, { type: 'repeated_denials', dedupKey: `repeated_denials:cred:${w.bA}:card:DEADBEEF`, deviceId: 'ra' }))
    await alerts.resolve(w.admin, denials!.alert.id, 'handled', 'real')
    const travel = await alerts.raise(candidate(w.bA, {
      type: 'impossible_travel', dedupKey: `impossible_travel:${w.bA}:card:DEADBEEF`, door: 'main', deviceId: 'rb', evidence: ['ra/e2', 'rb/e3'],
      explanation: `The card …BEEF was presented at building ${w.bA} (door main) and 2 min later at building ${w.bB} (door main); the buildings are ` +
        `3.0 km apart: at least 3 min at 60 km/h. Two cards carry this number: one is probably a copy. It is registered nowhere.`,
    }))
    const forced = await alerts.raise(candidate(w.bA, { dedupKey: `door_forced:${w.bA}:side`, door: 'side' }))

    expect(await rekeyLegacyAlerts(t.db, presentedKeyOf)).toBe(3)
    expect(await rekeyLegacyAlerts(t.db, presentedKeyOf)).toBe(0)

    const rows = await t.db.query<{ row: string }>('select row_to_json(a)::text as row from alerts a')
    for (const r of rows.rows) expect(r.row).not.toContain('DEADBEEF')
    const deliveries = await t.db.query<{ alert_id: string; payload: string }>('select alert_id, payload::text as payload from webhook_outbox')
    expect(deliveries.rows.length).toBeGreaterThanOrEqual(4)
    for (const d of deliveries.rows) expect(d.payload).not.toContain('DEADBEEF')
    const travelled = deliveries.rows.find((d) => d.alert_id === travel!.alert.id)!.payload
    expect(travelled).not.toContain(w.bB)
    expect(travelled).not.toContain('"rb')
    const card = presentedKeyOf('card', 'DEADBEEF')
    const read = async (id: string) => alerts.get(w.landlordA, id)
    expect(await read(unknown!.alert.id)).toMatchObject({ dedupKey: `unknown_credential:${w.bA}:${card}`, status: 'open', deviceId: 'ra' })
    expect(await read(denials!.alert.id)).toMatchObject({ dedupKey: `repeated_denials:cred:${w.bA}:${card}`, status: 'resolved' })
    const t2 = await read(travel!.alert.id)
    expect(t2).toMatchObject({ dedupKey: `impossible_travel:${w.bA}:${card}`, door: null, deviceId: null, evidence: ['ra/e2'] })
    expect(JSON.stringify(t2)).not.toContain(w.bB)
    expect(JSON.stringify(t2)).not.toContain('rb')
    expect(t2.explanation).toContain('another building')
    expect((await read(forced!.alert.id)).dedupKey).toBe(`door_forced:${w.bA}:side`)

    // After the upgrade the pipeline proposes the same card under its digest: the alert of before counts it.
    const again = await alerts.raise(candidate(w.bA, {
      type: 'unknown_credential', severity: 'warning', dedupKey: `unknown_credential:${w.bA}:${card}`, deviceId: 'ra', evidence: ['ra/e9'],
      explanation: 'Unregistered card …BEEF presented at door main. The reader refused it.',
    }))
    expect(again).toMatchObject({ kind: 'updated', alert: { id: unknown!.alert.id, count: 2 } })
  })

  it('once recorded, a later start does no work: not even an alert written since with a key of before is touched', async () => {
    const { t, w, alerts } = f
    expect(await recorded()).toBe(true)
    const raised = await alerts.raise(candidate(w.bA, { type: 'unknown_credential', dedupKey: `unknown_credential:${w.bA}:card:0BADCAFE`, deviceId: 'ra' }))
    expect(await rekeyLegacyAlerts(t.db, presentedKeyOf)).toBe(0)
    expect((await alerts.get(w.admin, raised!.alert.id)).dedupKey).toBe(`unknown_credential:${w.bA}:card:0BADCAFE`)
    // Forgotten, the same run rewrites it: the record alone held it back.
    await forget()
    expect(await rekeyLegacyAlerts(t.db, presentedKeyOf)).toBe(1)
    expect((await alerts.get(w.admin, raised!.alert.id)).dedupKey).toBe(`unknown_credential:${w.bA}:${presentedKeyOf('card', '0BADCAFE')}`)
    expect(await recorded()).toBe(true)
  })

  it('an alert of before whose new key already has a live alert is closed, with its history, not a second live one', async () => {
    const { t, w, alerts } = f
    await forget()
    const card = presentedKeyOf('card', 'FEEDF00D')
    const old = await alerts.raise(candidate(w.bA, { type: 'unknown_credential', dedupKey: `unknown_credential:${w.bA}:card:FEEDF00D`, deviceId: 'ra' }))
    const current = await alerts.raise(candidate(w.bA, { type: 'unknown_credential', dedupKey: `unknown_credential:${w.bA}:${card}`, deviceId: 'ra' }))
    const now = new Date('2026-04-01T08:00:00Z')
    expect(await rekeyLegacyAlerts(t.db, presentedKeyOf, { now: () => now })).toBe(1)
    const closed = await alerts.get(w.admin, old!.alert.id)
    expect(closed).toMatchObject({
      dedupKey: `unknown_credential:${w.bA}:${card}`, status: 'resolved', autoResolved: true, resolvedBy: null,
      resolvedAt: now.toISOString(), resolutionNote: 'superseded by the alert with the same key',
    })
    expect(closed.history.map((h) => h.action)).toEqual(['opened', 'resolved'])
    expect(closed.history[1]).toMatchObject({ actorId: null, at: now.toISOString(), note: 'superseded by the alert with the same key', detail: { auto: true } })
    expect(await alerts.get(w.admin, current!.alert.id)).toMatchObject({ status: 'open' })
  })

  it('works in batches; after a start that failed half way the next goes on with the rest and repeats nothing', async () => {
    const { t, w, alerts } = f
    await forget()
    const raise = async (value: string) => (await alerts.raise(candidate(w.bA, {
      type: 'unknown_credential', dedupKey: `unknown_credential:${w.bA}:card:${value}`, deviceId: 'ra',
    })))!.alert.id
    // The first is superseded (a second history row would show a repeat), the second fails the first start.
    const superseded = await raise('AAAA0001')
    await alerts.raise(candidate(w.bA, { type: 'unknown_credential', dedupKey: `unknown_credential:${w.bA}:${presentedKeyOf('card', 'AAAA0001')}`, deviceId: 'ra' }))
    const failing = await raise('AAAA0002')
    const rest = [await raise('AAAA0003'), await raise('AAAA0004')]
    const failOn = (k: Parameters<typeof presentedKeyOf>[0], value: string): string => {
      if (value === 'AAAA0002') throw new Error('stopped half way')
      return presentedKeyOf(k, value)
    }
    const lines: Array<{ done: number; total: number; msg: string }> = []
    const logger = pino(new Writable({ write (chunk: Buffer, _enc, cb) { lines.push(JSON.parse(chunk.toString())); cb() } }))

    await expect(rekeyLegacyAlerts(t.db, failOn, { batchSize: 1, logger })).rejects.toThrow('stopped half way')
    expect(await recorded()).toBe(false)
    const key = async (id: string) => (await alerts.get(w.admin, id)).dedupKey
    expect(await key(superseded)).toBe(`unknown_credential:${w.bA}:${presentedKeyOf('card', 'AAAA0001')}`)
    expect(await key(failing)).toBe(`unknown_credential:${w.bA}:card:AAAA0002`)
    expect(await key(rest[0]!)).toBe(`unknown_credential:${w.bA}:card:AAAA0003`)
    expect(lines.map((l) => [l.done, l.total])).toEqual([[1, 4]])

    lines.length = 0
    expect(await rekeyLegacyAlerts(t.db, presentedKeyOf, { batchSize: 2, logger })).toBe(3)
    expect(await recorded()).toBe(true)
    expect(lines.map((l) => [l.done, l.total])).toEqual([[2, 3], [3, 3]])
    for (const [id, value] of [[failing, 'AAAA0002'], [rest[0]!, 'AAAA0003'], [rest[1]!, 'AAAA0004']] as const) {
      expect(await key(id)).toBe(`unknown_credential:${w.bA}:${presentedKeyOf('card', value)}`)
    }
    expect((await alerts.get(w.admin, superseded)).history.map((h) => h.action)).toEqual(['opened', 'resolved'])
  })

  it('two platforms starting at once rewrite each alert once', async () => {
    const { t, w, alerts } = f
    await forget()
    const ids: string[] = []
    for (let i = 0; i < 6; i++) {
      const value = `BBBB000${i}`
      ids.push((await alerts.raise(candidate(w.bA, { type: 'unknown_credential', dedupKey: `unknown_credential:${w.bA}:card:${value}`, deviceId: 'ra' })))!.alert.id)
      // Each has a live alert under its new key already, so a second rewrite would add a second history row.
      await alerts.raise(candidate(w.bA, { type: 'unknown_credential', dedupKey: `unknown_credential:${w.bA}:${presentedKeyOf('card', value)}`, deviceId: 'ra' }))
    }
    const runs = await Promise.all([0, 1].map(() => rekeyLegacyAlerts(t.db, presentedKeyOf, { batchSize: 2 })))
    expect(runs[0]! + runs[1]!).toBe(6)
    for (const id of ids) expect((await alerts.get(w.admin, id)).history.map((h) => h.action)).toEqual(['opened', 'resolved'])
    expect(await recorded()).toBe(true)
  })

  it('records the upgrade on a database without any alert of before', async () => {
    await forget()
    const lines: unknown[] = []
    const logger = pino(new Writable({ write (chunk: Buffer, _enc, cb) { lines.push(chunk.toString()); cb() } }))
    expect(await rekeyLegacyAlerts(f.t.db, presentedKeyOf, { logger })).toBe(0)
    expect(await recorded()).toBe(true)
    expect(lines).toEqual([])
  })
})
