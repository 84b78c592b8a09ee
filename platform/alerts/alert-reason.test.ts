// An alert's reason (what it says, as data) on both databases: stored with
// the alert and read back as written, following a raised condition when it
// is updated, null for alerts written without one (before migration 025);
// migration 025 can run again.

import { describe, expect, it } from 'vitest'
import { says } from '../../contract/alert-wording.ts'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { loadMigrations } from '../store/migrate.ts'
import { candidate, useAlertWorld } from './alerts.test-kit.ts'

const MIGRATION = loadMigrations().find((m) => m.version === 25)!

describe.each(DATABASE_KINDS)('alert reasons (%s)', (kind) => {
  const f = useAlertWorld(kind)

  it('stores the reason with the alert and gives it back as written', async () => {
    const said = says('unknown_credential.presented', { credential: { kind: 'ic_card', masked: '…3F9A' }, door: 'main', result: 'denied' })
    const opened = (await f.alerts.raise(candidate(f.w.bA, { type: 'unknown_credential', dedupKey: `reason-${kind}`, ...said })))!
    expect(opened.alert.reason).toEqual(said.reason)
    const got = await f.alerts.get(f.w.admin, opened.alert.id)
    expect(got.reason).toEqual({ code: 'unknown_credential.presented', params: { credential: { kind: 'ic_card', masked: '…3F9A' }, door: 'main', result: 'denied' } })
    expect(got.explanation).toBe('Unregistered IC card …3F9A presented at door main. The reader refused it. Anyone living here must be registered by the landlord.')
    // A repeat that the reader let in: the latest occurrence's reason wins, as its explanation does.
    const granted = says('unknown_credential.presented', { credential: { kind: 'ic_card', masked: '…3F9A' }, door: 'side', result: 'granted' })
    await f.alerts.raise(candidate(f.w.bA, { type: 'unknown_credential', dedupKey: `reason-${kind}`, ...granted }))
    expect((await f.alerts.get(f.w.admin, opened.alert.id)).reason).toEqual(granted.reason)
  })

  it('follows a raised condition: an update changes the reason with the level', async () => {
    const key = `overcrowding_observed:${kind}-reason-room`
    const crowd = (present: number, o: object = {}) => candidate(f.w.bA, {
      type: 'overcrowding_observed', dedupKey: key, level: present,
      ...says('overcrowding_observed.counted', { present, room: '101', capacity: 2, registered: 2 }), ...o,
    })
    const opened = (await f.alerts.raise(crowd(3)))!
    expect(opened.alert.reason).toMatchObject({ params: { present: 3 } })
    expect(await f.alerts.raiseBatch([crowd(4, { updates: true })])).toMatchObject({ changed: 1 })
    const got = await f.alerts.get(f.w.admin, opened.alert.id)
    expect(got).toMatchObject({ level: 4, reason: { code: 'overcrowding_observed.counted', params: { present: 4, room: '101', capacity: 2, registered: 2 } } })
    expect(got.explanation).toContain('4 people of room 101')
    // Only the capacity changed: the reason is what moved, so the alert is brought up to date.
    const wider = says('overcrowding_observed.counted', { present: 4, room: '101', capacity: 3, registered: 2 })
    expect(await f.alerts.raiseBatch([crowd(4, { updates: true, ...wider })])).toMatchObject({ changed: 1 })
    expect((await f.alerts.get(f.w.admin, opened.alert.id)).reason).toEqual(wider.reason)
  })

  it('reads an alert without a reason as null (written before it was kept), and migration 025 can run again', async () => {
    const old = candidate(f.w.bA, { dedupKey: `no-reason-${kind}`, explanation: 'Door main was forced open.' }) as Partial<ReturnType<typeof candidate>>
    delete old.reason
    const opened = (await f.alerts.raise(old as ReturnType<typeof candidate>))!
    expect(opened.alert).toMatchObject({ reason: null, explanation: 'Door main was forced open.' })
    await f.t.db.exec(MIGRATION.sql)
    const r = await f.t.db.query<{ reason: unknown }>('select reason from alerts where id = $1', [opened.alert.id])
    expect(r.rows).toEqual([{ reason: null }])
    expect((await f.alerts.get(f.w.admin, opened.alert.id)).reason).toBeNull()
  })
})
