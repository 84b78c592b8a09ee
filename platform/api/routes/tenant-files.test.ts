// Bulk import of tenants and the register as a file, on both databases:
// templates that import as they are, previews that change nothing and say
// per row what is wrong, commits that register row by row, exports with
// masked ID numbers, each audited; limits and scopes.

import { readSheet } from 'read-excel-file/node'
import writeXlsxFile from 'write-excel-file/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS } from '../../../test/support/databases.ts'
import { residentIdNumber, withCheckChar } from '../../../test/support/id-numbers.ts'
import { callApi, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts'

const CSV = 'text/csv'
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

describe.each(DATABASE_KINDS)('tenant import and register export (%s)', (kind) => {
  let tp: TestPlatform

  beforeAll(async () => { tp = await startTestPlatform(kind) }, 60_000)
  afterAll(async () => { await tp?.dispose() })

  async function send (who: string, method: string, url: string, o: { type?: string; body?: string | Buffer } = {}) {
    const headers: Record<string, string> = { authorization: `Bearer ${tp.tokens[who]}` }
    if (o.type !== undefined) headers['content-type'] = o.type
    const r = await tp.platform.app.inject({ method: method as 'GET', url, headers, ...(o.body === undefined ? {} : { payload: o.body }) })
    return { status: r.statusCode, headers: r.headers, raw: r.rawPayload, json: () => JSON.parse(r.body) }
  }
  const registrations = async (): Promise<number> =>
    (await tp.platform.db.query<{ n: number }>('select count(*)::int as n from registrations')).rows[0]!.n
  const csv = (rows: string[][]): string => rows.map((r) => r.join(',')).join('\n')

  it('serves the template, which imports as it is', async () => {
    const t = await send('landlord-li', 'GET', '/imports/template.csv')
    expect(t.status).toBe(200)
    expect(t.headers['content-type']).toMatch(/^text\/csv/)
    expect(t.headers['content-disposition']).toContain('tenants-template.csv')
    expect([...t.raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    expect(t.raw.toString('utf8')).toContain('房间号,姓名,证件类型,证件号码,性别,联系电话,入住日期,租约到期,居住证有效期,居住证类型,随行未成年人,卡号')
    const x = await send('landlord-li', 'GET', '/imports/template.xlsx')
    expect(x.status).toBe(200)
    const sheet = await readSheet(x.raw)
    expect(sheet[0]).toEqual(['房间号', '姓名', '证件类型', '证件号码', '性别', '联系电话', '入住日期', '租约到期', '居住证有效期', '居住证类型', '随行未成年人', '卡号'])
    for (const [type, body] of [[CSV, t.raw], [XLSX, x.raw]] as const) {
      const p = await send('landlord-li', 'POST', '/buildings/demo-b1/imports', { type, body })
      expect(p.status, type).toBe(201)
      expect(p.json()).toMatchObject({ valid: 1, invalid: 0, rows: [{ row: 2, errors: [], registration: { roomNumber: '101', name: '张三', sex: 'female', idNumberMasked: '11****************' } }] })
    }
    const cols = await send('vendor-acme', 'GET', '/imports/columns')
    expect(cols.json().map((c: { key: string }) => c.key)).toEqual(['room', 'name', 'idType', 'idNumber', 'sex', 'phone', 'arrivedAt', 'leaseUntil', 'permitValidUntil', 'permitType', 'minors', 'card'])
  })

  it('previews row by row with the errors of each, changing nothing, then commits the valid rows once', async () => {
    const before = await registrations()
    const file = csv([
      ['room', 'name', 'idType', 'idNumber', 'sex', 'phone', 'arrivedAt', 'permitValidUntil', 'minors', 'card'],
      ['201', 'Ma Chao', 'resident_id', residentIdNumber(501), '男', '13800001111', '2026/01/05', '2027-06-30', '1', 'c0ffee01'],
      ['999', 'No Room', '', residentIdNumber(503), '', '', '', '', '', ''],
      ['201', 'Bad Id', '身份证', '440604199001010000', '', '', '', '', '', ''],
      ['', '', '', '', '', '', '', '', '', ''],
      ['201', 'Wrong Sex', '', residentIdNumber(505), 'female', 'call me', new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10), '2026-02-30', '99', 'xyz'],
      ['201', 'Again', '', residentIdNumber(501), '', '', '', '', '', 'C0FFEE01'],
      ['201', '"Passport, Holder"', '护照', 'E12345678', '女', '', '', '', '', ''],
    ])
    const p = await send('landlord-li', 'POST', '/buildings/demo-b1/imports', { type: `${CSV}; charset=utf-8`, body: file })
    expect(p.status).toBe(201)
    const preview = p.json()
    expect(preview).toMatchObject({ buildingId: 'demo-b1', valid: 2, invalid: 4 })
    expect(preview.previewId).toMatch(/^i-/)
    const byRow = Object.fromEntries(preview.rows.map((r: { row: number }) => [r.row, r]))
    expect(byRow[2].registration).toMatchObject({
      roomId: 'demo-b1-201', name: 'Ma Chao', idType: 'resident_id', idNumberMasked: '44****************', sex: 'male',
      phone: '13800001111', arrivedAt: '2026-01-05', permitValidUntil: '2027-06-30', minors: 1, cardMasked: '…EE01',
    })
    expect(byRow[3].errors).toEqual([{ row: 3, column: 'room', code: 'unknown_room' }])
    expect(byRow[4].errors).toEqual([{ row: 4, column: 'idNumber', code: 'invalid_id_number' }])
    expect(byRow[5]).toBeUndefined() // a blank line is no tenant
    expect(byRow[6].errors.map((e: { column: string; code: string }) => `${e.column}:${e.code}`)).toEqual([
      'sex:sex_mismatch', 'phone:invalid_phone', 'arrivedAt:future_date', 'permitValidUntil:invalid_date', 'minors:invalid_minors', 'card:invalid_card',
    ])
    expect(byRow[7].errors).toEqual([{ row: 7, column: 'idNumber', code: 'duplicate_in_file' }, { row: 7, column: 'card', code: 'duplicate_card_in_file' }])
    expect(byRow[8].registration).toMatchObject({ name: 'Passport, Holder', idType: 'passport', idNumberMasked: 'E********', sex: 'female' })
    expect(JSON.stringify(preview)).not.toContain(residentIdNumber(501))
    expect(await registrations()).toBe(before)

    // Only its maker commits it, in the building it was made for.
    expect((await send('grid-chen', 'POST', `/buildings/demo-b1/imports/${preview.previewId}/commit`)).status).toBe(404)
    expect((await send('landlord-wang', 'POST', `/buildings/demo-b1/imports/${preview.previewId}/commit`)).status).toBe(404)
    const c = await send('landlord-li', 'POST', `/buildings/demo-b1/imports/${preview.previewId}/commit`)
    expect(c.status).toBe(200)
    const done = c.json()
    expect(done).toMatchObject({ registered: 2, pending: 0, failed: 0, skipped: 4 })
    expect(done.rows.map((r: { status: string }) => r.status)).toEqual(['registered', 'skipped', 'skipped', 'skipped', 'skipped', 'registered'])
    expect(await registrations()).toBe(before + 2)
    const ma = await callApi(tp, 'landlord-li', 'GET', `/registrations/${done.rows[0].registrationId}`)
    expect(ma.body).toMatchObject({ status: 'active', roomNumber: '201', minors: 1, permitValidUntil: '2027-06-30', resident: { name: 'Ma Chao' } })
    // Arrival at the start of that day in the building's zone (Asia/Shanghai).
    expect(ma.body.arrivedAt).toBe('2026-01-04T16:00:00.000Z')
    const cards = await callApi(tp, 'landlord-li', 'GET', `/registrations/${done.rows[0].registrationId}/credentials`)
    expect(cards.body).toMatchObject([{ kind: 'card', value: '…EE01', status: 'active' }])

    const again = await send('landlord-li', 'POST', `/buildings/demo-b1/imports/${preview.previewId}/commit`)
    expect(again.status).toBe(409)
    expect(await registrations()).toBe(before + 2)
    const audit = await tp.platform.db.query<{ action: string }>(
      `select action from audit_log where action like 'import.%' and subject_id = 'demo-b1' order by seq`)
    expect(audit.rows.map((a) => a.action)).toEqual(expect.arrayContaining(['import.previewed', 'import.committed']))
    const sealed = await tp.platform.db.query<{ rows_sealed: string }>('select rows_sealed from import_previews')
    for (const s of sealed.rows) expect(s.rows_sealed).not.toContain(residentIdNumber(501))
  })

  it('reports a failed row at commit without stopping the others', async () => {
    const file = csv([['房间号', '姓名', '证件号码', '卡号'], ['201', 'Card Taken', residentIdNumber(601), '04A1B2C3'], ['201', 'Fine', residentIdNumber(603), '']])
    const p = (await send('landlord-li', 'POST', '/buildings/demo-b1/imports', { type: CSV, body: file })).json()
    expect(p.valid).toBe(2)
    const c = (await send('landlord-li', 'POST', `/buildings/demo-b1/imports/${p.previewId}/commit`)).json()
    expect(c.rows).toEqual([
      { row: 2, status: 'failed', registrationId: null, code: 'RH_CREDENTIAL_IN_USE' },
      { row: 3, status: 'registered', registrationId: expect.any(String), code: null },
    ])
    const taken = await tp.platform.db.query(`select 1 from registration_details where name = 'Card Taken'`)
    expect(taken.rows).toHaveLength(0)
  })

  it('reads spreadsheets: a number cell for an ID number is refused, date cells are dates', async () => {
    const id = residentIdNumber(701)
    const sheet = [
      ['room', 'name', 'idNumber', 'arrivedAt', 'minors'],
      ['201', 'Number Id', { value: 440604199001010000, type: Number }, null, null],
      [{ value: 201, type: Number }, 'Date Cell', id, { value: new Date('2026-01-10T00:00:00Z'), type: Date, format: 'yyyy-mm-dd' }, { value: 2, type: Number }],
    ]
    const file = await writeXlsxFile(sheet as never).toBuffer()
    const p = await send('landlord-li', 'POST', '/buildings/demo-b1/imports', { type: XLSX, body: file })
    expect(p.status).toBe(201)
    expect(p.json().rows).toMatchObject([
      { row: 2, registration: null, errors: [{ column: 'idNumber', code: 'id_number_not_text' }] },
      { row: 3, errors: [], registration: { roomNumber: '201', arrivedAt: '2026-01-10', minors: 2 } },
    ])
  })

  it('reads a CSV saved as GB 18030, as Excel on a Chinese system does', async () => {
    // "房间号" in GB 18030, then ASCII.
    const header = Buffer.from([0xb7, 0xbf, 0xbc, 0xe4, 0xba, 0xc5])
    const file = Buffer.concat([header, Buffer.from(`,name,idNumber\r\n201,Gbk Tenant,${withCheckChar('44060419900301801')}\r\n`)])
    const p = await send('landlord-li', 'POST', '/buildings/demo-b1/imports', { type: CSV, body: file })
    expect(p.status).toBe(201)
    expect(p.json()).toMatchObject({ valid: 1, rows: [{ registration: { name: 'Gbk Tenant' } }] })
  })

  it('refuses what is not an import with a coded 400, and changes nothing', async () => {
    const before = await registrations()
    const cases: Array<[string, { type?: string; body?: string | Buffer }]> = [
      ['wrong type', { type: 'text/plain', body: 'room,name,idNumber\n' }],
      ['json', { type: 'application/json', body: '{"room":"101"}' }],
      ['too large', { type: CSV, body: Buffer.alloc(2 * 1024 * 1024 + 1, 0x41) }],
      ['no header', { type: CSV, body: '' }],
      ['missing column', { type: CSV, body: 'room,name\n101,X\n' }],
      ['header only', { type: CSV, body: 'room,name,idNumber\n' }],
      ['too many rows', { type: CSV, body: 'room,name,idNumber\n' + '101,X,1\n'.repeat(2001) }],
      ['not a spreadsheet', { type: XLSX, body: Buffer.from('PK not really') }],
    ]
    for (const [what, o] of cases) {
      const r = await send('landlord-li', 'POST', '/buildings/demo-b1/imports', o)
      expect(r.status, what).toBe(400)
      expect(['RH_BAD_REQUEST', 'RH_VALIDATION'], what).toContain(r.json().code)
    }
    expect(await registrations()).toBe(before)
    const file = { type: CSV, body: 'room,name,idNumber\n101,X,1\n' }
    expect((await send('police-zumiao', 'POST', '/buildings/demo-b1/imports', file)).status).toBe(403)
    expect((await send('vendor-acme', 'POST', '/buildings/demo-b1/imports', file)).status).toBe(403)
    expect((await send('landlord-wang', 'POST', '/buildings/demo-b1/imports', file)).status).toBe(404)
    expect((await send('landlord-li', 'POST', '/buildings/demo-b1/imports/i-aaaaaaaaaaaa/commit')).status).toBe(404)
  })

  it('exports the register with ID numbers masked, audited, to those who may read the residents', async () => {
    const c = await send('landlord-li', 'GET', '/buildings/demo-b1/register.csv')
    expect(c.status).toBe(200)
    expect(c.headers['content-disposition']).toContain('register-demo-b1.csv')
    const text = c.raw.toString('utf8')
    expect(text).toContain('房间号,姓名,证件类型,证件号码,性别,联系电话,入住日期,租约到期,居住证有效期,居住证类型,随行未成年人')
    expect(text).toMatch(/101,Zhang Wei,居民身份证,44\*{16},男,/)
    expect(text).not.toMatch(/\d{17}[\dX]/)
    const x = await send('police-zumiao', 'GET', '/buildings/demo-b1/register.xlsx')
    expect(x.status).toBe(200)
    const rows = await readSheet(x.raw)
    expect(rows.find((r) => r[1] === 'Zhang Wei')).toEqual(['101', 'Zhang Wei', '居民身份证', '44****************', '男', null, expect.any(String), null, expect.any(String), null, 0])
    const audit = await tp.platform.db.query<{ detail: { format: string } }>(
      `select detail from audit_log where action = 'register.exported' and subject_id = 'demo-b1' order by seq`)
    expect(audit.rows.map((a) => a.detail.format)).toEqual(['csv', 'xlsx'])
    expect((await send('landlord-wang', 'GET', '/buildings/demo-b1/register.csv')).status).toBe(404)
    expect((await send('vendor-acme', 'GET', '/buildings/demo-b1/register.xlsx')).status).toBe(403)
  })
})
