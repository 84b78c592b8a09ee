// Credential validity periods and weekly time windows, on both databases:
// accepted on registration and on a later issue, stored, shown as given and
// put in the building's allow-list; a bad period or window gets a coded 400
// and changes nothing. PINs are kept only under the data key, also those
// stored by an older version. (That lists reach a connected reader, digested
// with its key, is in platform/allowlist/allowlist-pusher.test.ts.)

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseAllowlistKey, pinSha256, presentedDigest } from '../../protocol/index.ts'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { residentIdNumber } from '../../test/support/id-numbers.ts'
import { connectReader, endedAfterEach } from '../../test/support/mqtt-device.ts'
import { callApi, provisionReader, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { registryFingerprint } from '../../test/support/registry-state.ts'
import { fullAllowlist, sealLegacyPins } from './credentials.ts'

const WORKDAYS = { days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' }
/** Past midnight: Saturday and Sunday nights, 22:00 to 06:00 the next morning. */
const WEEKEND_NIGHTS = { days: [6, 7], from: '22:00', to: '06:00' }
const VALIDITY = { validFrom: '2026-12-01T00:00:00.000Z', validUntil: '2027-06-01T00:00:00.000Z' }

const window = (patch: object) => ({ ...WORKDAYS, ...patch })

const BAD: Array<[string, object, string]> = [
  ['a weekday 0', { windows: [window({ days: [0] })] }, 'RH_VALIDATION'],
  ['a weekday 8', { windows: [window({ days: [8] })] }, 'RH_VALIDATION'],
  ['a window without days', { windows: [window({ days: [] })] }, 'RH_VALIDATION'],
  ['a day twice', { windows: [window({ days: [1, 1] })] }, 'RH_VALIDATION'],
  ['from 24:00', { windows: [window({ from: '24:00' })] }, 'RH_VALIDATION'],
  ['from 8:00 (one digit)', { windows: [window({ from: '8:00' })] }, 'RH_VALIDATION'],
  ['to 18:60', { windows: [window({ to: '18:60' })] }, 'RH_VALIDATION'],
  ['a window without its end', { windows: [{ days: [1], from: '08:00' }] }, 'RH_VALIDATION'],
  ['a field windows do not have', { windows: [window({ timezone: 'Asia/Shanghai' })] }, 'RH_VALIDATION'],
  ['17 windows', { windows: Array.from({ length: 17 }, () => WORKDAYS) }, 'RH_VALIDATION'],
  ['an empty list of windows', { windows: [] }, 'RH_BAD_REQUEST'],
  ['validUntil before validFrom', { validFrom: VALIDITY.validUntil, validUntil: VALIDITY.validFrom }, 'RH_BAD_REQUEST'],
  ['validUntil equal to validFrom', { validFrom: VALIDITY.validFrom, validUntil: VALIDITY.validFrom }, 'RH_BAD_REQUEST'],
  ['validFrom that is not a date-time', { validFrom: 'next monday' }, 'RH_VALIDATION'],
  ['validUntil without a time', { validUntil: '2027-06-01' }, 'RH_VALIDATION'],
]

describe.each(DATABASE_KINDS)('credential validity and time windows (%s)', (kind) => {
  let tp: TestPlatform
  const clients = endedAfterEach()
  let registrationId: string
  let serial = 0
  beforeAll(async () => {
    tp = await startTestPlatform(kind)
    const r = await register({})
    expect(r.status).toBe(201)
    registrationId = r.body.registration.id
  }, 60_000)
  afterAll(async () => { await tp?.dispose() })

  const api = (method: string, url: string, payload?: object) => callApi(tp, 'landlord-li', method, url, payload)
  function register (extra: object) {
    serial++
    return api('POST', '/rooms/demo-b1-201/registrations', {
      resident: { name: `Windowed ${serial}`, idType: 'resident_id', idNumber: residentIdNumber(8000 + serial) }, ...extra,
    })
  }

  it('accepts, stores and shows validity and windows, and puts them in the allow-list', async () => {
    const reg = await register({ credentials: [{ kind: 'card', value: 'c0ffee01', ...VALIDITY, windows: [WORKDAYS, WEEKEND_NIGHTS] }] })
    expect(reg.status).toBe(201)
    const card = reg.body.credentials[0]
    expect(card).toMatchObject({ kind: 'card', value: '…EE01', ...VALIDITY, windows: [WORKDAYS, WEEKEND_NIGHTS], status: 'active' })
    const pin = await api('POST', `/registrations/${reg.body.registration.id}/credentials`, { kind: 'pin', value: '4821', validUntil: VALIDITY.validUntil, windows: [WEEKEND_NIGHTS] })
    expect(pin.status).toBe(201)
    expect(pin.body).toMatchObject({ value: '(PIN hidden)', validFrom: null, validUntil: VALIDITY.validUntil, windows: [WEEKEND_NIGHTS] })

    const listed = await api('GET', `/registrations/${reg.body.registration.id}/credentials`)
    expect(listed.body).toEqual([card, pin.body])
    const stored = await tp.platform.db.query<{ valid_from: Date | null; valid_until: Date | null; windows: unknown }>(
      'select valid_from, valid_until, windows from credentials where id = any($1) order by issued_at', [[card.id, pin.body.id]])
    expect(stored.rows).toEqual([
      { valid_from: new Date(VALIDITY.validFrom), valid_until: new Date(VALIDITY.validUntil), windows: [WORKDAYS, WEEKEND_NIGHTS] },
      { valid_from: null, valid_until: new Date(VALIDITY.validUntil), windows: [WEEKEND_NIGHTS] },
    ])

    const { entries } = await fullAllowlist(tp.platform.db, 'demo-b1')
    expect(entries.find((e) => e.credentialId === card.id)).toEqual(
      { credentialId: card.id, kind: 'card', value: 'C0FFEE01', ...VALIDITY, windows: [WORKDAYS, WEEKEND_NIGHTS] })
    // The PIN stays sealed until the pusher digests it for a reader.
    const secrets = tp.platform.registry.ctx.secrets
    const listedPin = entries.find((e) => e.credentialId === pin.body.id)!
    expect(listedPin).toEqual({ credentialId: pin.body.id, kind: 'pin', value: expect.any(String), validUntil: VALIDITY.validUntil, windows: [WEEKEND_NIGHTS] })
    expect(secrets.openPin(listedPin.value)).toBe(pinSha256('4821'))
  })

  it('keeps a PIN only under the data key: never the digits, never a bare hash that the database alone reverses', async () => {
    const reg = await register({ credentials: [{ kind: 'pin', value: '735190' }] })
    expect(reg.status).toBe(201)
    const row = (await tp.platform.db.query<{ value: string; secret_sealed: string }>(
      'select value, secret_sealed from credentials where id = $1', [reg.body.credentials[0].id])).rows[0]!
    for (const stored of [row.value, row.secret_sealed]) {
      expect(stored).not.toContain('735190')
      expect(stored).not.toContain(pinSha256('735190'))
    }
    expect(row.value).toMatch(/^hmac:[0-9a-f]{64}$/)
    // Two people may choose the same PIN: refusing the second would tell their landlord the first one's PIN.
    const again = await register({ credentials: [{ kind: 'pin', value: '735190' }] })
    expect(again.status).toBe(201)
  })

  it('brings PINs stored as plain SHA-256 by an older version under the data key, and readers get their digests', async () => {
    const reg = await register({ credentials: [{ kind: 'pin', value: '604211' }] })
    const id = reg.body.credentials[0].id as string
    const db = tp.platform.db
    // As revision 1 stored it.
    await db.query(`update credentials set value = $2, secret_sealed = null where id = $1`, [id, `sha256:${pinSha256('604211')}`])
    expect(await sealLegacyPins(db, tp.platform.registry.ctx.secrets)).toBe(1)
    expect(await sealLegacyPins(db, tp.platform.registry.ctx.secrets)).toBe(0)
    const row = (await db.query<{ value: string }>('select value from credentials where id = $1', [id])).rows[0]!
    expect(row.value).toMatch(/^hmac:/)
    expect(row.value).not.toContain(pinSha256('604211'))

    const details = await provisionReader(tp, 'landlord-li', 'demo-b1')
    const reader = await connectReader(details)
    clients.push(reader.client)
    const full = await reader.box.next(/\/command\/allowlist-sync$/) as { upsert: Array<{ credentialId: string; digest: string }> }
    expect(full.upsert.find((e) => e.credentialId === id)?.digest).toBe(presentedDigest(parseAllowlistKey(details.allowlistKey!), 'pin', '604211'))
  })

  it('leaves out of the allow-list what was not given: no windows means at any time', async () => {
    const reg = await register({ credentials: [{ kind: 'card', value: 'C0FFEE02' }] })
    expect(reg.body.credentials[0]).toMatchObject({ validFrom: null, validUntil: null, windows: null })
    const { entries } = await fullAllowlist(tp.platform.db, 'demo-b1')
    expect(entries.find((e) => e.credentialId === reg.body.credentials[0].id)).toEqual({ credentialId: reg.body.credentials[0].id, kind: 'card', value: 'C0FFEE02' })
  })

  it.each(BAD)('refuses %s with a coded 400, on registration and on a later issue, and changes nothing', async (_, fields, code) => {
    const before = await registryFingerprint(tp.platform.db)
    const onRegistration = await register({ credentials: [{ kind: 'card', value: 'BADC0DE1', ...fields }] })
    const onIssue = await api('POST', `/registrations/${registrationId}/credentials`, { kind: 'card', value: 'BADC0DE2', ...fields })
    for (const r of [onRegistration, onIssue]) {
      expect({ status: r.status, code: r.body.code }).toEqual({ status: 400, code })
      expect(r.body.message).toEqual(expect.any(String))
    }
    expect(await registryFingerprint(tp.platform.db)).toBe(before)
  })
})
