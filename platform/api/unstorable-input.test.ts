// Whatever a route schema lets through must be storable; anything else is a
// 4xx with a code, never a 500, and changes nothing. The test walks every
// route of the OpenAPI document the app serves, builds for each a request that
// is valid in every other respect (checked against the route's own schema), and
// puts one bad value at a time into each string, date and number field of the
// body and the query string: a NUL byte, a lone surrogate, an overlong text,
// the years 0000 and 10000, impossible dates and numbers beyond any column.
// Runs on both databases.

import { Ajv, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { candidate } from '../alerts/alerts.test-kit.ts'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { residentIdNumber } from '../../test/support/id-numbers.ts'
import { callApi, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { registryFingerprint } from '../../test/support/registry-state.ts'
import { TEXT_PATTERN } from '../../contract/schemas/fields.ts'

interface JsonSchema {
  type?: string
  enum?: unknown[]
  const?: unknown
  anyOf?: JsonSchema[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  items?: JsonSchema
  minItems?: number
  minLength?: number
  minimum?: number
  maximum?: number
  pattern?: string
  format?: string
}

interface Operation {
  parameters?: Array<{ in: string; name: string; required?: boolean; schema: JsonSchema }>
  requestBody?: { content?: Record<string, { schema: JsonSchema }> }
}

/** A leaf field of a body or query: where it is and its schema. */
interface Field { path: Array<string | number>; schema: JsonSchema }

/** Valid strings for the patterns the routes use; a new pattern needs a sample here. */
const PATTERN_SAMPLES: Record<string, string> = {
  '^(me|[A-Za-z0-9_-]{1,64})$': 'me',
  '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$': 'walk-1',
  '^[a-z0-9._-]{3,40}$': 'walker',
  '^\\+?[0-9 -]{5,20}$': '13800000000',
  '^[A-Za-z0-9_-]{20,100}$': 'a'.repeat(40),
  '^[0-9]{1,16}$': '1',
  '^([01][0-9]|2[0-3]):[0-5][0-9]$': '08:00',
  '^[A-Za-z][A-Za-z0-9_+/-]*$': 'Asia/Shanghai',
  '^[0-9]{4}-(0[1-9]|1[0-2])$': '2026-12',
  '^p-[A-Za-z0-9_-]{22}$': `p-${'a'.repeat(22)}`,
  '^i-[A-Za-z0-9_-]{12}$': `i-${'a'.repeat(12)}`,
  // A house code; the routes that need a real one get it in DOMAIN_SAMPLES.
  '^[2-9A-HJKMNP-Z]{8}$': 'ZZZZZZZZ',
  '^#[0-9a-fA-F]{6}$': '#1e6b35',
  '^(19|2[01])[0-9]{2}-(0[1-9]|1[0-2])$': '2026-01',
}

/** Values that make a request valid for the domain too, so a bad value next to them reaches the database. */
const DOMAIN_SAMPLES: Record<string, Record<string, unknown>> = {
  'POST /users': { role: 'police', areaId: 'zumiao', password: 'long-enough-pw' },
  'POST /buildings': { gridId: 'lianhua-g1' },
  'POST /rooms/{id}/registrations': { 'resident.idType': 'resident_id', 'resident.idNumber': residentIdNumber(7777) },
  'POST /rooms/{id}/visitor-passes': { validUntil: new Date(Date.now() + 86_400_000).toISOString(), kind: 'card', value: 'C0FFEE77' },
  'POST /registrations/{id}/credentials': { kind: 'card', value: 'C0FFEE78' },
  'POST /webhooks': { url: 'http://127.0.0.1:9/walk', areaId: 'zumiao' },
  'POST /buildings/{id}/devices': { door: 'main-gate', kind: 'reader' },
  'POST /auth/login': { username: 'admin', password: 'demo-password' },
  'POST /areas': { kind: 'district' },
  'PUT /areas/{id}/policy-settings': { 'thresholds.normal': 10, 'thresholds.focus': 25, 'thresholds.strict': 50 },
  'GET /buildings/{id}/doors/{door}/events': { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' },
  'GET /rooms/{id}/events': { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' },
  'GET /credentials/{id}/events': { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' },
  'GET /access-records': { buildingId: 'demo-b1', from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' },
  'GET /access-records.csv': { buildingId: 'demo-b1', from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' },
}

const TEXT_BAD = ['a\u0000b', '\u0000', 'x'.repeat(100_000)]
// A lone surrogate cannot travel in a URL (its UTF-8 form does not exist), only in JSON.
const BODY_TEXT_BAD = [...TEXT_BAD, 'a\ud800b', '\udfff']
const DATE_TIME_BAD = ['0000-01-01T00:00:00Z', '10000-01-01T00:00:00Z', '+010000-01-01T00:00:00Z', '2025-02-30T00:00:00Z', '2025-12-31T23:59:60Z', '2025-01-01T00:00:00\u0000Z']
const DATE_BAD = ['0000-01-01', '10000-01-01', '2025-02-30', '2025-01-01\u0000']
const NUMBER_BAD = [-1, 2 ** 53 + 2, 2 ** 63, 1e30, -1e30]

function sample (s: JsonSchema, key: string, overrides: Record<string, unknown>): unknown {
  if (key in overrides) return overrides[key]
  if (s.const !== undefined) return s.const
  if (s.enum !== undefined) return s.enum[0]
  if (s.anyOf !== undefined) return sample(s.anyOf[0]!, key, overrides)
  switch (s.type) {
    case 'object': {
      const o: Record<string, unknown> = {}
      for (const r of s.required ?? []) o[r] = sample(s.properties![r]!, key === '' ? r : `${key}.${r}`, overrides)
      return o
    }
    case 'array': return (s.minItems ?? 0) > 0 ? [sample(s.items!, key, overrides)] : []
    case 'integer': case 'number': return s.minimum ?? 1
    case 'boolean': return true
    case 'string':
      if (s.format === 'date-time') return '2026-05-01T10:00:00Z'
      if (s.format === 'date') return '2026-05-01'
      if (s.pattern !== undefined && s.pattern !== TEXT_PATTERN) {
        const v = PATTERN_SAMPLES[s.pattern]
        if (v === undefined) throw new Error(`no sample for pattern ${s.pattern} (${key}): add one to PATTERN_SAMPLES`)
        return v
      }
      return 'x'.repeat(Math.max(s.minLength ?? 1, 1))
    default: throw new Error(`no sample for schema ${JSON.stringify(s)} (${key})`)
  }
}

/** Every string, number and integer leaf below `s`, through objects, arrays and unions. */
function leaves (s: JsonSchema, path: Array<string | number> = []): Field[] {
  if (s.anyOf !== undefined) return s.anyOf.flatMap((b) => leaves(b, path))
  if (s.type === 'object') return Object.entries(s.properties ?? {}).flatMap(([k, p]) => leaves(p, [...path, k]))
  if (s.type === 'array' && s.items !== undefined) return leaves(s.items, [...path, 0])
  if (s.type === 'string' || s.type === 'integer' || s.type === 'number') return [{ path, schema: s }]
  return []
}

/** Numbers outside the field's own range: just past each bound, and the extremes that lie outside it. */
function badNumbers (s: JsonSchema): number[] {
  const min = s.minimum ?? -Infinity
  const max = s.maximum ?? Infinity
  const edges = [...(Number.isFinite(min) ? [min - 1] : []), ...(Number.isFinite(max) ? [max + 1] : [])]
  return [...edges, ...NUMBER_BAD.filter((v) => v < min || v > max || !Number.isSafeInteger(v))]
}

function badValues (f: Field, where: 'body' | 'query'): unknown[] {
  if (f.schema.type !== 'string') return badNumbers(f.schema)
  if (f.schema.format === 'date-time') return DATE_TIME_BAD
  if (f.schema.format === 'date') return DATE_BAD
  return where === 'body' ? BODY_TEXT_BAD : TEXT_BAD
}

/** A copy of `base` with `value` at `path`, creating the containers on the way from their schemas. */
function withValue (base: unknown, schema: JsonSchema, path: Array<string | number>, value: unknown, key: string, overrides: Record<string, unknown>): unknown {
  const copy = structuredClone(base) as Record<string | number, unknown>
  let node = copy
  let s = schema
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i]!
    s = (typeof k === 'number' ? s.items : s.properties?.[k]) ?? s
    while (s.anyOf !== undefined) s = s.anyOf.find((b) => b.type === 'object' || b.type === 'array') ?? s.anyOf[0]!
    node[k] ??= s.type === 'array' ? [sample(s.items!, key, overrides)] : sample(s, key, overrides)
    node = node[k] as Record<string | number, unknown>
  }
  node[path[path.length - 1]!] = value
  return copy
}

const encodeQuery = (q: Record<string, unknown>): string =>
  Object.entries(q).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&')

describe.each(DATABASE_KINDS)('unstorable input answers 4xx on every route (%s)', (kind) => {
  let tp: TestPlatform
  const ids: Record<string, string> = {}
  const ajv = new Ajv({ strict: false, allErrors: true })
  addFormats.default(ajv)

  const state = async (): Promise<string> => {
    const db = tp.platform.db
    const other = await db.query<{ f: string }>(`select concat_ws('|',
      (select string_agg(concat_ws(',', id, url, enabled, min_severity, subscriptions::text), ';' order by id) from webhooks),
      (select string_agg(concat_ws(',', id, status, count, resolution_note), ';' order by id) from alerts),
      (select count(*) from alert_events), (select count(*) from sessions),
      (select string_agg(concat_ws(',', id, status, note), ';' order by id) from grade_proposals),
      (select count(*) from patrols), (select string_agg(concat_ws(',', id, status), ';' order by id) from patrol_findings),
      (select count(*) from finding_reinspections),
      (select string_agg(concat_ws(',', id, status, note), ';' order by id) from vacancy_proposals),
      (select string_agg(concat_ws(',', id, signed_off_at), ';' order by id) from reconciliations),
      (select string_agg(concat_ws(',', id, outcome, note), ';' order by id) from reconciliation_items),
      (select string_agg(concat_ws(',', id, withdrawn_at), ';' order by id) from rooms)) as f`)
    return `${await registryFingerprint(db)}#${other.rows[0]!.f}`
  }

  beforeAll(async () => {
    tp = await startTestPlatform(kind, { env: { WEBHOOK_ALLOW_INSECURE_LOCAL: 'on' } })
    const reg = await callApi(tp, 'admin', 'POST', '/rooms/demo-b1-201/registrations', {
      resident: { name: 'Walker Tenant', idType: 'resident_id', idNumber: residentIdNumber(7001) },
      credentials: [{ kind: 'card', value: 'C0FFEE01' }],
    })
    expect(reg.status).toBe(201)
    ids.registration = reg.body.registration.id
    ids.resident = reg.body.registration.resident.id
    ids.credential = reg.body.credentials[0].id
    const hook = await callApi(tp, 'admin', 'POST', '/webhooks', { url: 'http://127.0.0.1:9/walk', areaId: 'zumiao' })
    expect(hook.status).toBe(201)
    ids.webhook = hook.body.webhook.id
    ids.alert = (await tp.platform.alerts.raise(candidate('demo-b1', { dedupKey: 'walk:demo-b1' })))!.alert.id
    ids.user = tp.userIds['vendor-other']!
    // A move: landlord Li registers someone who lives in landlord Wang's building.
    const person = { name: 'Moving Tenant', idType: 'resident_id', idNumber: residentIdNumber(7002) }
    expect((await callApi(tp, 'landlord-wang', 'POST', '/rooms/demo-b2-101/registrations', { resident: person })).status).toBe(201)
    const pending = await callApi(tp, 'landlord-li', 'POST', '/rooms/demo-b1-201/registrations', { resident: person })
    expect(pending.body.move?.id).toEqual(expect.any(String))
    ids.move = pending.body.move.id
    // A door plate's code and an open patrol finding, for the patrol routes to reach the database.
    ids.code = (await callApi(tp, 'admin', 'GET', '/buildings/demo-b1/plates')).body.plates[0].code
    const checklist = { extinguisher: 'ok', smoke_detector: 'ok', escape_route: 'ok', partitions: 'ok', ebike_charging: 'ok', wiring: 'problem', occupancy: 'ok' }
    const patrol = await callApi(tp, 'admin', 'POST', '/buildings/demo-b1/patrols', {
      code: ids.code, headcount: 1, checklist, findings: [{ item: 'wiring', description: 'loose cable', deadline: '2199-12-31' }],
    })
    expect(patrol.status).toBe(201)
    ids.finding = patrol.body.findings[0].id
    DOMAIN_SAMPLES['POST /buildings/{id}/patrols'] = { code: ids.code }
    DOMAIN_SAMPLES['POST /findings/{id}/reinspections'] = { code: ids.code }
  }, 60_000)
  afterAll(async () => { await tp?.dispose() })

  /** Path parameters of real resources, so a request gets past "not found" to the database. */
  const fillPath = (path: string): string => path
    .replace(/^\/buildings\/\{id\}/, '/buildings/demo-b1').replace('{door}', 'main-gate').replace('{previewId}', 'i-aaaaaaaaaaaa')
    .replace(/^\/rooms\/\{id\}/, '/rooms/demo-b1-201')
    .replace(/^\/registrations\/\{id\}/, `/registrations/${ids.registration}`)
    .replace(/^\/residents\/\{id\}/, `/residents/${ids.resident}`)
    .replace(/^\/credentials\/\{id\}/, `/credentials/${ids.credential}`)
    .replace(/^\/devices\/\{id\}/, '/devices/demo-b1-reader')
    .replace(/^\/alerts\/\{id\}/, `/alerts/${ids.alert}`)
    .replace(/^\/webhooks\/\{id\}/, `/webhooks/${ids.webhook}`)
    .replace(/^\/users\/\{id\}/, `/users/${ids.user}`)
    .replace(/^\/moves\/\{id\}/, `/moves/${ids.move}`)
    .replace(/^\/handovers\/\{id\}/, '/handovers/h-aaaaaaaaaaaa')
    .replace(/^\/areas\/\{id\}/, '/areas/lianhua')
    .replace(/^\/grade-proposals\/\{id\}/, '/grade-proposals/gp-aaaaaaaaaaaa')
    .replace(/^\/house-codes\/\{code\}/, `/house-codes/${ids.code}`)
    .replace(/^\/findings\/\{id\}/, `/findings/${ids.finding}`)
    .replace(/^\/vacancy-proposals\/\{id\}/, '/vacancy-proposals/vp-aaaaaaaaaaaa')
    .replace(/^\/reconciliations\/\{id\}/, '/reconciliations/rc-aaaaaaaaaaaa').replace('{itemId}', 'ri-aaaaaaaaaaaa')
    .replace(/^\/protocol\/schemas\/\{name\}/, '/protocol/schemas/access-event')
    .replace(/^\/exchange\/\{dataset\}/, '/exchange/rooms')

  it('refuses a NUL byte, a lone surrogate, an overlong text, an impossible date or an out-of-range number in any field', async () => {
    const doc = tp.platform.app.swagger() as { paths: Record<string, Record<string, Operation>> }
    const before = await state()
    const failures: string[] = []
    let sent = 0
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const route = `${method.toUpperCase()} ${path}`
        const overrides = DOMAIN_SAMPLES[route] ?? {}
        const url = fillPath(path)
        expect(url, `${route}: a path parameter without a resource`).not.toMatch(/\{/)
        const queryParams = (op.parameters ?? []).filter((p) => p.in === 'query')
        const querySchema: JsonSchema = {
          type: 'object',
          properties: Object.fromEntries(queryParams.map((p) => [p.name, p.schema])),
          required: queryParams.filter((p) => p.required === true).map((p) => p.name),
        }
        const bodySchema = op.requestBody?.content?.['application/json']?.schema
        const parts: Array<{ where: 'body' | 'query'; schema: JsonSchema }> = []
        if (queryParams.length > 0) parts.push({ where: 'query', schema: querySchema })
        // A body that is one of several objects: each walked on its own.
        if (bodySchema !== undefined) for (const branch of bodySchema.anyOf ?? [bodySchema]) parts.push({ where: 'body', schema: branch })
        const baseQuery = sample(querySchema, '', overrides) as Record<string, unknown>
        const baseBody = bodySchema === undefined ? undefined : sample(bodySchema, '', overrides)
        for (const { where, schema } of parts) {
          const base = where === 'body' ? sample(schema, '', overrides) : baseQuery
          const validate: ValidateFunction = ajv.compile(schema)
          for (const field of leaves(schema)) {
            const key = field.path.filter((p) => typeof p === 'string').join('.')
            // Next to the bad value, everything else must be valid: otherwise the request proves nothing.
            const good = withValue(base, schema, field.path, sample(field.schema, key, overrides), key, overrides)
            expect(validate(good), `${route} ${where} with ${key} valid: ${JSON.stringify(validate.errors)}`).toBe(true)
            for (const bad of badValues(field, where)) {
              const mutated = withValue(base, schema, field.path, bad, key, overrides)
              const q = where === 'query' ? mutated as Record<string, unknown> : baseQuery
              const fullUrl = Object.keys(q).length > 0 ? `${url}?${encodeQuery(q)}` : url
              const r = await callApi(tp, 'admin', method.toUpperCase(), fullUrl, where === 'body' ? mutated : baseBody)
              sent++
              const shown = typeof bad === 'string' ? JSON.stringify(bad.slice(0, 40)) : String(bad)
              if (r.status < 400 || r.status >= 500 || !/^RH_/.test(String(r.body.code))) {
                failures.push(`${route} ${where}.${key} = ${shown}: ${r.status} ${r.body.code ?? ''}`)
              }
            }
          }
        }
      }
    }
    expect(failures).toEqual([])
    expect(sent).toBeGreaterThan(300)
    expect(await state()).toBe(before)
  }, 120_000)
})
