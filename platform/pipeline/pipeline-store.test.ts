// The pipeline over the real alert commit, on both databases: the database
// refuses an alert whose values it cannot store (U+0000 in a card value once
// reached the alert's jsonb and the batch was retried forever; the value's
// last four characters in the explanation can still carry one); that
// candidate is set aside in pipeline_set_aside in the same transaction that
// commits the others and moves the progress past it.

import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { useAlertWorld } from '../alerts/alerts.test-kit.ts'
import { Pipeline, type LoggedMessage } from './pipeline.ts'
import { SqlPipelineStore } from './pipeline-store.ts'
import { detectAll } from './rules/index.ts'
import { presentedKeyOf, T0, TestView } from './rules/rules.test-kit.ts'
import { detectUnknownCredential } from './rules/unknown-credential.ts'

const silent = pino({ level: 'silent' })

describe.each(DATABASE_KINDS)('pipeline commits on %s', (kind) => {
  const f = useAlertWorld(kind)

  const start = async (): Promise<Pipeline> => {
    const { t, alerts } = f
    const view = new TestView()
    const p = new Pipeline({
      view, store: new SqlPipelineStore({ db: t.db, alerts, view }), presentedKey: presentedKeyOf, logger: silent, batchMs: 1, checkpointMs: 60_000,
      detect: (input$, ctx) => detectAll(input$, ctx, [detectUnknownCredential]),
    })
    await p.start()
    return p
  }

  /** A swipe of an unknown card, as logged: the value did not pass through the protocol's validator here. */
  const swipe = (logSeq: number, value: string): LoggedMessage => ({
    logSeq, buildingId: f.w.bA, deviceId: 'reader-1', channel: 'event/access', receivedAt: T0 + logSeq,
    payload: {
      eventId: `e${logSeq}`, seq: logSeq, ts: new Date(T0 + logSeq).toISOString(), door: 'main', direction: 'in',
      credential: { kind: 'card', value }, result: 'denied', reason: 'unknown_credential',
    },
  })

  it('sets aside what the database refuses and commits the rest with the progress', async () => {
    const { t, w } = f
    const p = await start()
    const values = ['GOOD0001', 'BAD0\u0000001', 'GOOD0002', 'BAD0\ud800002', 'GOOD0003']
    const key = (v: string): string => `unknown_credential:${w.bA}:${presentedKeyOf('card', v)}`
    values.forEach((v, i) => p.push(swipe(i + 1, v), i + 1))
    await p.settle()
    const opened = await t.db.query<{ dedup_key: string }>(`select dedup_key from alerts where type = 'unknown_credential' order by seq`)
    // One batch inserts in key order (row locks), not event order.
    expect(opened.rows.map((r) => r.dedup_key).sort()).toEqual(['GOOD0001', 'GOOD0002', 'GOOD0003'].map(key).sort())
    const aside = await t.db.query<{ log_seq: number; code: string; candidate: string }>('select log_seq, code, candidate from pipeline_set_aside order by seq')
    expect(aside.rows.map((r) => [r.log_seq, r.code.slice(0, 2)])).toEqual([[2, '22'], [4, '22']])
    expect((JSON.parse(aside.rows[0]!.candidate) as { dedupKey: string }).dedupKey).toBe(key('BAD0\u0000001'))
    expect((await t.db.query<{ through: number }>('select through from pipeline_progress')).rows[0]!.through).toBe(5)
    expect(p.stats()).toMatchObject({ setAside: 2, uncommitted: 0 })
    // Nothing waits behind them.
    p.push(swipe(6, 'GOOD0004'), 6)
    await p.settle()
    expect((await t.db.query('select 1 from alerts where dedup_key = $1', [key('GOOD0004')])).rows).toHaveLength(1)
    await p.stop()
    // The next run counts what earlier runs set aside.
    const again = await start()
    expect(again.stats().setAside).toBe(2)
    await again.stop()
  })
})
