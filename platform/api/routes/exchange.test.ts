// Data exchange on both databases: imports that are idempotent (the same
// file twice changes nothing) and all or nothing (one bad row: nothing
// applied, every row's error reported), exports scoped and masked by role,
// whole ID numbers only with a reason for a role entitled to them, access
// events as police records; every export and read audited.

import { readSheet } from 'read-excel-file/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SimReaderDevice } from '../../../firmware-sim/device/index.ts'
import { DATABASE_KINDS } from '../../../test/support/databases.ts'
import { residentIdNumber } from '../../../test/support/id-numbers.ts'
import { registryFingerprint } from '../../../test/support/registry-state.ts'
import { callApi, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts'
import { startSimReader } from '../../../test/support/sim-reader.ts'
import { until } from '../../../test/support/wait.ts'

const CSV = 'text/csv'

describe.each(DATABASE_KINDS)('data exchange (%s)', (kind) => {
  let tp: TestPlatform
  let reader: SimReaderDevice | undefined

  beforeAll(async () => { tp = await startTestPlatform(kind) }, 60_000)
  afterAll(async () => {
    await reader?.stop()
    await tp?.dispose()
  })

  async function send (who: string, method: string, url: string, o: { type?: string; body?: string | Buffer | object } = {}) {
    const headers: Record<string, string> = { authorization: `Bearer ${tp.tokens[who]}` }
    if (o.type !== undefined) headers['content-type'] = o.type
    const r = await tp.platform.app.inject({ method: method as 'GET', url, headers, ...(o.body === undefined ? {} : { payload: o.body as string }) })
    return { status: r.statusCode, headers: r.headers, raw: r.rawPayload, text: r.body, json: () => JSON.parse(r.body) }
  }
  const csv = (rows: Array<Array<string | number>>): string => rows.map((r) => r.join(',')).join('\n')
  const audits = async (action: string) => (await tp.platform.db.query<{ actor_role: string; subject_id: string; detail: Record<string, unknown> }>(
    'select actor_role, subject_id, detail from audit_log where action = $1 order by seq', [action])).rows

  it('imports buildings and rooms once: a dry run and a second import change nothing', async () => {
    const buildings = csv([
      ['buildingId', 'name', 'address', 'gridId', 'landlord'],
      ['ex-b1', 'Exchange Lane 1', '1 Exchange Lane', 'lianhua-g1', 'landlord-li'],
      ['ex-b2', 'Exchange Lane 2', '2 Exchange Lane', 'lianhua-g2', ''],
    ])
    const before = await registryFingerprint(tp.platform.db)
    const dry = await send('admin', 'POST', '/exchange/buildings/import?dryRun=true', { type: CSV, body: buildings })
    expect(dry.status).toBe(200)
    expect(dry.json()).toMatchObject({ dataset: 'buildings', applied: false, dryRun: true, created: 2, invalid: 0 })
    expect(await registryFingerprint(tp.platform.db)).toBe(before)

    const first = await send('admin', 'POST', '/exchange/buildings/import', { type: CSV, body: buildings })
    expect(first.json()).toMatchObject({ applied: true, created: 2, updated: 0, unchanged: 0, rows: [{ row: 2, key: 'ex-b1', outcome: 'created', errors: [] }, { row: 3, key: 'ex-b2', outcome: 'created' }] })
    const again = await send('admin', 'POST', '/exchange/buildings/import', { type: CSV, body: buildings })
    expect(again.json()).toMatchObject({ applied: true, created: 0, updated: 0, unchanged: 2 })
    const after = await registryFingerprint(tp.platform.db)
    expect((await send('admin', 'POST', '/exchange/buildings/import', { type: CSV, body: buildings })).json().unchanged).toBe(2)
    expect(await registryFingerprint(tp.platform.db)).toBe(after)

    // JSON, the same keys: a changed name is an update, the rooms follow.
    const renamed = await send('admin', 'POST', '/exchange/buildings/import', {
      type: 'application/json', body: { rows: [{ buildingId: 'ex-b2', name: 'Exchange Lane 2 (east)', address: '2 Exchange Lane', gridId: 'lianhua-g2' }] },
    })
    expect(renamed.json()).toMatchObject({ applied: true, updated: 1 })
    const rooms = csv([['buildingId', 'number', 'capacity'], ['ex-b1', '101', 2], ['ex-b1', '102', 3], ['ex-b2', '1', 4]])
    expect((await send('admin', 'POST', '/exchange/rooms/import', { type: CSV, body: rooms })).json()).toMatchObject({ applied: true, created: 3 })
    expect((await send('admin', 'POST', '/exchange/rooms/import', { type: CSV, body: rooms })).json()).toMatchObject({ applied: true, created: 0, unchanged: 3 })
    const bigger = csv([['楼栋编号', '房间号', '核定人数'], ['ex-b1', '101', 5]])
    expect((await send('admin', 'POST', '/exchange/rooms/import', { type: CSV, body: bigger })).json()).toMatchObject({ applied: true, updated: 1 })
    expect(await audits('exchange.imported')).toHaveLength(7)
  })

  it('applies nothing when one row is bad, and reports the error of every row', async () => {
    const before = await registryFingerprint(tp.platform.db)
    const file = csv([
      ['buildingId', 'number', 'capacity'],
      ['ex-b1', '201', 2], // fine
      ['ex-b1', '202', 0], // capacity out of range
      ['nowhere', '1', 2], // no such building
      ['ex-b1', '201', 2], // twice in the file
      ['ex-b1', '', 'x'],
    ])
    const r = await send('admin', 'POST', '/exchange/rooms/import', { type: CSV, body: file })
    expect(r.status).toBe(200)
    const report = r.json()
    expect(report).toMatchObject({ applied: false, dryRun: false, invalid: 4 })
    expect(report.rows.map((x: { row: number; outcome: string | null; errors: Array<{ column: string; code: string }> }) =>
      [x.row, x.outcome, x.errors.map((e) => `${e.column}:${e.code}`)])).toEqual([
      [2, 'created', []],
      [3, null, ['capacity:invalid_capacity']],
      [4, null, ['buildingId:unknown_building']],
      [5, null, ['number:duplicate_in_file']],
      [6, null, ['number:required', 'capacity:invalid_capacity']],
    ])
    expect(await registryFingerprint(tp.platform.db)).toBe(before)
    // A row the registry itself refuses (moving a building to another grid) also stops the whole file.
    const moved = await send('admin', 'POST', '/exchange/buildings/import', {
      type: CSV, body: csv([['buildingId', 'name', 'address', 'gridId'], ['ex-b3', 'New', '3 Exchange Lane', 'lianhua-g1'], ['ex-b1', 'Exchange Lane 1', '1 Exchange Lane', 'lianhua-g2']]),
    })
    expect(moved.json()).toMatchObject({ applied: false, invalid: 1, rows: [{ key: 'ex-b3', outcome: 'created' }, { key: 'ex-b1', outcome: null, errors: [{ column: null, code: 'RH_CONFLICT' }] }] })
    expect(await registryFingerprint(tp.platform.db)).toBe(before)
    expect((await send('admin', 'GET', '/buildings/ex-b3')).status).toBe(404)
    expect((await audits('exchange.import_refused')).length).toBeGreaterThanOrEqual(2)
    // Unreadable input: a clear 400, nothing changed.
    for (const body of [csv([['number', 'capacity'], ['1', 2]]), '']) {
      expect((await send('admin', 'POST', '/exchange/rooms/import', { type: CSV, body })).status).toBe(400)
    }
    expect((await send('admin', 'POST', '/exchange/rooms/import', { type: 'application/json', body: { rows: 'no' } })).status).toBe(400)
    expect((await send('admin', 'POST', '/exchange/residents/import', { type: CSV, body: csv([['residentId'], ['x']]) })).status).toBe(400)
    expect(await registryFingerprint(tp.platform.db)).toBe(before)
  })

  it('imports registrations idempotently, and an export with whole numbers imports back unchanged', async () => {
    const file = csv([
      ['buildingId', 'room', 'name', 'idType', 'idNumber', 'phone', 'arrivedAt', 'permitValidUntil'],
      ['ex-b1', '101', '周一', 'resident_id', residentIdNumber(901), '13800009011', '2026-01-10', '2026-12-31'],
      ['ex-b1', '102', '周二', '身份证', residentIdNumber(902), '', '2026-02-01', ''],
      ['ex-b2', '1', 'Pass Holder', 'passport', 'E90300001', '', '', ''],
    ])
    const first = await send('admin', 'POST', '/exchange/registrations/import', { type: CSV, body: file })
    expect(first.json()).toMatchObject({ applied: true, created: 3 })
    expect(first.json().rows[0].key).toBe('ex-b1/101/resident_id/44****************')
    expect(JSON.stringify(first.json())).not.toContain(residentIdNumber(901))
    expect((await send('admin', 'POST', '/exchange/registrations/import', { type: CSV, body: file })).json()).toMatchObject({ applied: true, created: 0, unchanged: 3 })
    // A renewal in the partner's file: the same stay, a new permit end.
    const renewed = file.replace('2026-12-31', '2027-06-30')
    expect((await send('admin', 'POST', '/exchange/registrations/import', { type: CSV, body: renewed })).json()).toMatchObject({ applied: true, updated: 1, unchanged: 2 })

    const whole = await send('admin', 'GET', '/exchange/registrations?format=xlsx&areaId=lianhua&idNumbers=whole&reason=exchange%20round%20trip')
    expect(whole.status).toBe(200)
    const sheet = await readSheet(whole.raw)
    expect(sheet[0]).toContain('idNumber')
    expect(sheet.flat()).toContain(residentIdNumber(901))
    const back = await send('admin', 'POST', '/exchange/registrations/import', { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', body: whole.raw })
    expect(back.json()).toMatchObject({ applied: true, created: 0, updated: 0, invalid: 0 })
    expect(back.json().unchanged).toBe(sheet.length - 1)
  })

  it('exports within the jurisdiction, masked unless whole is asked with a reason by an entitled role; audited', async () => {
    const police = await send('police-zumiao', 'GET', '/exchange/registrations')
    expect(police.status).toBe(200)
    const rows = police.json().rows as Array<Record<string, string>>
    const seen = new Set(rows.map((r) => r.buildingId))
    expect(seen).toContain('ex-b1')
    expect(seen).toContain('ex-b2')
    expect(seen).not.toContain('other-b1')
    expect(police.json().idNumbers).toBe('masked')
    expect(rows.find((r) => r.name === '周一')).toMatchObject({ idNumber: '44****************', room: '101', status: 'active' })
    expect(police.text).not.toContain(residentIdNumber(901))
    expect((await send('police-other', 'GET', '/exchange/registrations')).json().rows).toEqual([])
    expect((await send('police-other', 'GET', '/exchange/registrations?areaId=lianhua')).status).toBe(404)
    expect((await send('police-other', 'GET', '/exchange/rooms?buildingId=ex-b1')).status).toBe(404)
    for (const who of ['landlord-li', 'grid-chen', 'vendor-acme']) expect((await send(who, 'GET', '/exchange/buildings')).status, who).toBe(403)
    expect((await send('police-zumiao', 'POST', '/exchange/rooms/import', { type: CSV, body: csv([['buildingId', 'number', 'capacity'], ['ex-b1', '9', 1]]) })).status).toBe(403)

    expect((await send('police-zumiao', 'GET', '/exchange/residents?idNumbers=whole')).status).toBe(400)
    const full = await send('police-zumiao', 'GET', '/exchange/residents?format=csv&idNumbers=whole&reason=case%2042')
    expect(full.status).toBe(200)
    expect(full.headers['content-type']).toMatch(/^text\/csv/)
    expect(full.text).toContain(residentIdNumber(901))
    expect(full.text.split('\r\n')[0]).toBe('\ufeffresidentId,idType,idNumber,name,sex,birthDecade,buildingId,room,registrationId,arrivedAt')
    const b = await send('police-zumiao', 'GET', '/exchange/buildings?format=json')
    expect(b.json().rows.find((x: { buildingId: string }) => x.buildingId === 'ex-b1')).toMatchObject({ gridId: 'lianhua-g1', landlord: 'landlord-li', rooms: 2 })

    const exported = await audits('exchange.exported')
    expect(exported.find((a) => a.subject_id === 'residents')).toMatchObject({ actor_role: 'police', detail: { format: 'csv', idNumbers: 'whole', reason: 'case 42' } })
    expect(exported.filter((a) => a.actor_role === 'police' && a.subject_id === 'registrations')).toEqual(expect.arrayContaining([
      expect.objectContaining({ detail: expect.objectContaining({ idNumbers: 'masked', returned: rows.length }) }),
    ]))
  })

  it('lists access events as police records, masked by role, paginated, as CSV too; reads audited', async () => {
    const reg = await callApi(tp, 'landlord-li', 'POST', '/rooms/demo-b1-101/registrations', {
      resident: { name: '欧阳明月', idType: 'resident_id', idNumber: residentIdNumber(911) }, credentials: [{ kind: 'card', value: 'ABCD1234' }],
    })
    expect(reg.status).toBe(201)
    reader = await startSimReader(tp, 'admin', 'demo-b1')
    const from = new Date(Date.now() - 60_000).toISOString()
    expect(await reader.present({ kind: 'card', value: 'ABCD1234' }, 'in')).toBe('granted')
    expect(await reader.present({ kind: 'card', value: 'FFFF0000' }, 'in')).toBe('denied')
    expect(await reader.present({ kind: 'card', value: 'ABCD1234' }, 'out')).toBe('granted')
    const to = new Date(Date.now() + 60_000).toISOString()
    // The reader decides at once and sends its events after: wait until the three are logged.
    await until('three access events logged', async () => (await tp.platform.db.query<{ n: number }>(
      `select count(*)::int as n from events where channel = 'event/access' and building_id = 'demo-b1'`)).rows[0]!.n >= 3, 10_000)
    const q = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`

    const first = await callApi(tp, 'police-zumiao', 'GET', `/access-records?areaId=zumiao&${q}&limit=2`)
    expect(first.status).toBe(200)
    expect(first.body.items).toHaveLength(2)
    expect(first.body.items[0]).toMatchObject({
      buildingId: 'demo-b1', door: 'main-gate', direction: 'in', method: 'card', result: 'granted', credentialMasked: '…1234', visitor: false,
      person: { name: '欧阳明月', idType: 'resident_id', idNumberMasked: '44****************' },
      registeredAt: { buildingId: 'demo-b1', roomNumber: '101' },
    })
    expect(first.body.items[0].localTime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
    expect(first.body.items[1]).toMatchObject({ result: 'denied', person: null, registeredAt: null })
    const second = await callApi(tp, 'police-zumiao', 'GET', `/access-records?areaId=zumiao&${q}&limit=2&afterLogSeq=${first.body.nextAfterLogSeq}`)
    expect(second.body).toMatchObject({ items: [{ direction: 'out', result: 'granted' }], nextAfterLogSeq: null })

    const grid = await callApi(tp, 'grid-chen', 'GET', `/access-records?buildingId=demo-b1&${q}`)
    expect(grid.body.items[0].person.name).toBe('欧阳**')
    expect((await callApi(tp, 'police-other', 'GET', `/access-records?buildingId=demo-b1&${q}`)).status).toBe(404)
    expect((await callApi(tp, 'police-other', 'GET', `/access-records?areaId=other-street&${q}`)).body.items).toEqual([])
    expect((await callApi(tp, 'landlord-li', 'GET', `/access-records?buildingId=demo-b1&${q}`)).status).toBe(403)
    expect((await callApi(tp, 'police-zumiao', 'GET', `/access-records?${q}`)).status).toBe(400)
    expect((await callApi(tp, 'police-zumiao', 'GET', `/access-records?areaId=zumiao&from=${encodeURIComponent(to)}&to=${encodeURIComponent(from)}`)).status).toBe(400)

    const file = await send('police-zumiao', 'GET', `/access-records.csv?buildingId=demo-b1&${q}`)
    expect(file.status).toBe(200)
    const lines = file.text.trim().split('\r\n')
    expect(lines[0]).toContain('logSeq,at,localTime,buildingId')
    expect(lines).toHaveLength(4)
    expect(lines[1]).toContain('欧阳明月')
    expect(file.text).not.toContain(residentIdNumber(911))
    const reads = await audits('access_records.read')
    expect(reads.map((a) => a.actor_role)).toEqual(['police', 'police', 'grid_worker', 'police', 'police'])
    expect(reads[0]).toMatchObject({ subject_id: 'zumiao', detail: { returned: 2 } })
  }, 30_000)
})
