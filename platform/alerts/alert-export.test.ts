// The handled-alerts CSV on the real database: a BOM for Excel, English
// column names, the alerts resolved in the range within the viewer's scope,
// Chinese text intact, quoting and formula injection handled.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../../test/support/databases.ts'
import { csvCell, EXPORT_COLUMNS, exportResolvedCsv } from './alert-export.ts'
import { AlertService } from './alert-service.ts'
import { candidate, seedAlertWorld, type AlertWorld } from './alerts.test-kit.ts'

/** Rows of a CSV without quoted line breaks (enough for these tests). */
const parse = (csv: string): string[][] => csv.replace(/^\uFEFF/, '').split('\r\n').filter((l) => l !== '').map((l) => {
  const out: string[] = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < l.length; i++) {
    const ch = l[i]!
    if (quoted) {
      if (ch === '"' && l[i + 1] === '"') { cur += '"'; i++ } else if (ch === '"') quoted = false
      else cur += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') { out.push(cur); cur = '' } else cur += ch
  }
  out.push(cur)
  return out
})

describe('csvCell', () => {
  it('quotes separators and quotes, and defuses what a spreadsheet would run as a formula', () => {
    expect(csvCell(null)).toBe('')
    expect(csvCell('门未关好')).toBe('门未关好')
    expect(csvCell('a,b')).toBe('"a,b"')
    expect(csvCell('say "hi"')).toBe('"say ""hi"""')
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"')
    expect(csvCell('-1')).toBe("'-1")
    expect(csvCell(false)).toBe('false')
  })
})

describe.each(DATABASE_KINDS)('alert export on %s', (kind) => {
  let t: TestDatabase
  let w: AlertWorld
  let alerts: AlertService
  let clock = new Date('2026-04-01T09:00:00Z')

  beforeAll(async () => {
    t = await openTestDatabase(kind)
    w = await seedAlertWorld(t.db)
    alerts = new AlertService({ db: t.db, now: () => clock })
  })
  afterAll(async () => { alerts?.close(); await t?.dispose() })

  it('exports the alerts resolved in the range that the viewer may see, oldest first', async () => {
    const a = (await alerts.raise(candidate(w.bA, { dedupKey: `x-a-${kind}` })))!.alert
    const b = (await alerts.raise(candidate(w.bB, { dedupKey: `x-b-${kind}` })))!.alert
    const c = (await alerts.raise(candidate(w.bC, { dedupKey: `x-c-${kind}` })))!.alert
    const open = (await alerts.raise(candidate(w.bA, { dedupKey: `x-open-${kind}` })))!.alert
    await alerts.assign(w.police, a.id, w.gridWorker.id)
    clock = new Date('2026-04-01T10:00:00Z')
    await alerts.resolve(w.gridWorker, a.id, '门锁已修好, "换了新锁"', 'technical_fault')
    clock = new Date('2026-04-01T11:00:00Z')
    await alerts.resolve(w.police, b.id, '=cmd|calc', 'false_alarm')
    await alerts.resolve(w.admin, c.id, 'duplicate of another', 'duplicate')
    clock = new Date('2026-04-03T00:00:00Z')

    const csv = await exportResolvedCsv(t.db, w.police, { since: '2026-04-01T00:00:00Z', until: '2026-04-02T00:00:00Z' })
    expect(csv.startsWith('\uFEFFid,type,severity,stage,')).toBe(true)
    const rows = parse(csv)
    expect(rows[0]).toEqual([...EXPORT_COLUMNS])
    const col = (r: string[], name: (typeof EXPORT_COLUMNS)[number]): string => r[EXPORT_COLUMNS.indexOf(name)]!
    expect(rows.slice(1).map((r) => col(r, 'id'))).toEqual([a.id, b.id]) // police of street 1: not c (street 2), not the open one
    expect(col(rows[1]!, 'resolution_note')).toBe('门锁已修好, "换了新锁"')
    expect(col(rows[1]!, 'closure_reason')).toBe('technical_fault')
    expect(col(rows[1]!, 'assignee_id')).toBe(w.gridWorker.id)
    expect(col(rows[1]!, 'stage')).toBe('archived')
    expect(col(rows[1]!, 'resolved_at')).toBe('2026-04-01T10:00:00.000Z')
    expect(col(rows[2]!, 'resolution_note')).toBe("'=cmd|calc")
    expect(rows.slice(1).every((r) => r.length === EXPORT_COLUMNS.length)).toBe(true)

    expect(parse(await exportResolvedCsv(t.db, w.landlordA, { since: '2026-04-01T00:00:00Z' })).slice(1).map((r) => r[0])).toEqual([a.id])
    expect(parse(await exportResolvedCsv(t.db, w.admin, { since: '2026-04-01T00:00:00Z' })).slice(1).map((r) => r[0])).toEqual([a.id, b.id, c.id])
    expect(parse(await exportResolvedCsv(t.db, w.admin, { since: '2026-04-01T10:30:00Z', until: '2026-04-01T11:00:00Z' }))).toHaveLength(1)
    expect(open.status).toBe('open')
  })

  it('refuses vendors and bad ranges', async () => {
    await expect(exportResolvedCsv(t.db, w.vendor, { since: '2026-04-01T00:00:00Z' })).rejects.toMatchObject({ code: 'RH_FORBIDDEN' })
    await expect(exportResolvedCsv(t.db, w.admin, { since: '2026-04-02T00:00:00Z', until: '2026-04-01T00:00:00Z' })).rejects.toMatchObject({ code: 'RH_BAD_REQUEST' })
    await expect(exportResolvedCsv(t.db, w.admin, { since: '2024-01-01T00:00:00Z', until: '2026-01-01T00:00:00Z' })).rejects.toMatchObject({ code: 'RH_BAD_REQUEST' })
  })
})
