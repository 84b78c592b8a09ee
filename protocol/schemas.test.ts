import { describe, expect, it } from 'vitest'
import { COMMAND_NAMES, UPLINK_CHANNELS, type CommandName, type UplinkChannel } from './topics.ts'
import { sampleCommands, sampleErrorReply, sampleUplinks } from './samples.ts'
import { validateCommand, validateErrorReply, validateUplink } from './validate.ts'

type Obj = Record<string, unknown>
type Mutation = [string, (m: Obj) => void, string?]

const uplink = (c: UplinkChannel): Obj => sampleUplinks()[c] as Obj
const command = (n: CommandName): Obj => sampleCommands()[n] as Obj

function rejectsUplink (channel: UplinkChannel, mutations: Mutation[]): void {
  describe(channel, () => {
    it('accepts the sample', () => {
      expect(validateUplink(channel, uplink(channel))).toEqual({ ok: true, value: uplink(channel) })
    })
    it.each(mutations)('rejects: %s', (_name, mutate, path) => {
      const m = uplink(channel)
      mutate(m)
      const r = validateUplink(channel, m)
      expect(r.ok).toBe(false)
      if (!r.ok && path !== undefined) expect(r.errors.map((e) => e.path)).toContain(path)
    })
  })
}

function rejectsCommand (name: CommandName, mutations: Mutation[]): void {
  describe(`command/${name}`, () => {
    it('accepts the sample', () => {
      expect(validateCommand(name, command(name)).ok).toBe(true)
    })
    it.each(mutations)('rejects: %s', (_name, mutate, path) => {
      const m = command(name)
      mutate(m)
      const r = validateCommand(name, m)
      expect(r.ok).toBe(false)
      if (!r.ok && path !== undefined) expect(r.errors.map((e) => e.path)).toContain(path)
    })
  })
}

// Mutations every event must reject.
const eventMutations: Mutation[] = [
  ['missing eventId', (m) => { delete m.eventId }, '/eventId'],
  ['empty eventId', (m) => { m.eventId = '' }, '/eventId'],
  ['eventId too long', (m) => { m.eventId = 'x'.repeat(65) }, '/eventId'],
  ['eventId with U+0000', (m) => { m.eventId = 'a\u0000b' }, '/eventId'],
  ['eventId with a newline', (m) => { m.eventId = 'a\nb' }, '/eventId'],
  ['eventId with a lone surrogate', (m) => { m.eventId = 'a\ud800b' }, '/eventId'],
  ['missing seq', (m) => { delete m.seq }, '/seq'],
  ['negative seq', (m) => { m.seq = -1 }, '/seq'],
  ['fractional seq', (m) => { m.seq = 1.5 }, '/seq'],
  ['seq beyond 2^53-1', (m) => { m.seq = 2 ** 53 }, '/seq'],
  ['seq as string', (m) => { m.seq = '12' }, '/seq'],
  ['missing ts', (m) => { delete m.ts }, '/ts'],
  ['ts without zone', (m) => { m.ts = '2025-03-01T08:15:30' }, '/ts'],
  ['ts date only', (m) => { m.ts = '2025-03-01' }, '/ts'],
  ['ts impossible date', (m) => { m.ts = '2025-02-30T08:00:00Z' }, '/ts'],
  ['ts year 0000 (no such year; the database refuses it)', (m) => { m.ts = '0000-01-01T00:00:00Z' }, '/ts'],
  ['ts hour 24', (m) => { m.ts = '2025-03-01T24:00:00Z' }, '/ts'],
  ['ts lower-case z', (m) => { m.ts = '2025-03-01T08:00:00z' }, '/ts'],
  ['ts microseconds', (m) => { m.ts = '2025-03-01T08:00:00.123456Z' }, '/ts'],
  ['ts epoch number', (m) => { m.ts = 1740816930 }, '/ts'],
  ['ts with zone name suffix', (m) => { m.ts = '2025-03-01T08:00:00+08:00[Asia/Shanghai]' }, '/ts'],
  ['extra field', (m) => { m.extra = 1 }, '/extra'],
  ['not an object', (m) => { for (const k of Object.keys(m)) delete m[k] }],
]

describe('uplink schemas', () => {
  rejectsUplink('event/access', [
    ...eventMutations,
    ['missing door', (m) => { delete m.door }, '/door'],
    ['bad door id', (m) => { m.door = 'main gate' }, '/door'],
    ['wrong direction', (m) => { m.direction = 'up' }, '/direction'],
    ['wrong result', (m) => { m.result = 'ok' }, '/result'],
    ['reason on granted', (m) => { m.reason = 'expired' }, '/reason'],
    ['unknown reason', (m) => { m.result = 'denied'; m.reason = 'because' }, '/reason'],
    ['unknown credential kind', (m) => { (m.credential as Obj).kind = 'fingerprint' }, '/credential/kind'],
    ['empty credential value', (m) => { (m.credential as Obj).value = '' }, '/credential/value'],
    ['credential value too long', (m) => { (m.credential as Obj).value = 'x'.repeat(129) }, '/credential/value'],
    ['PIN digits sent', (m) => { m.credential = { kind: 'pin', value: '123456' } }, '/credential/value'],
    ['extra credential field', (m) => { (m.credential as Obj).pin = '1234' }, '/credential/pin'],
    // Once acknowledged, then refused by the database on the alert's write: now refused at the edge.
    ['credential value with U+0000', (m) => { (m.credential as Obj).value = 'CARD\u00001' }, '/credential/value'],
    ['credential value with a lone surrogate', (m) => { (m.credential as Obj).value = 'CARD\udc00' }, '/credential/value'],
    ['credential value with a newline', (m) => { (m.credential as Obj).value = 'CARD\n1' }, '/credential/value'],
  ])

  it('event/access accepts a credential value outside ASCII (a surrogate pair included)', () => {
    const m = uplink('event/access')
    ;(m.credential as Obj).value = 'QR-住户-\ud83d\udd11'
    expect(validateUplink('event/access', m).ok).toBe(true)
  })

  it('event/access accepts a denial with a reason and a PIN entry', () => {
    const m = { ...uplink('event/access'), result: 'denied', reason: 'wrong_pin', credential: { kind: 'pin', value: 'entered' } }
    expect(validateUplink('event/access', m).ok).toBe(true)
  })

  it('accepts offsets and millisecond precision in ts', () => {
    for (const ts of ['2025-03-01T08:00:00Z', '2025-03-01T08:00:00.1-05:30', '2024-02-29T23:59:59.999+14:00']) {
      expect(validateUplink('heartbeat', { ts, uptimeS: 1 }).ok).toBe(true)
    }
  })

  rejectsUplink('event/door', [
    ...eventMutations,
    ['wrong state', (m) => { m.state = 'ajar' }, '/state'],
    ['negative duration', (m) => { m.durationS = -5 }, '/durationS'],
  ])

  rejectsUplink('event/line', [
    ...eventMutations,
    ['negative in', (m) => { m.in = -1 }, '/in'],
    ['missing out', (m) => { delete m.out }, '/out'],
    ['zero period', (m) => { m.periodS = 0 }, '/periodS'],
    ['period over an hour', (m) => { m.periodS = 3601 }, '/periodS'],
  ])

  rejectsUplink('event/person', [
    ...eventMutations,
    ['zero count', (m) => { m.count = 0 }, '/count'],
    ['confidence above 1', (m) => { m.confidence = 1.2 }, '/confidence'],
    ['image bytes as snapshot', (m) => { m.snapshot = 'data:image/jpeg;base64,/9j/4AAQ' }, '/snapshot'],
    ['snapshot with U+0000', (m) => { m.snapshot = 'nvr://rec/1\u0000' }, '/snapshot'],
    ['zone with a lone surrogate', (m) => { m.zone = 'lobby\ud800' }, '/zone'],
  ])

  rejectsUplink('status', [
    ['online without ts', (m) => { delete m.ts }],
    ['wrong state', (m) => { m.state = 'sleeping' }, '/state'],
    ['wrong reason', (m) => { m.state = 'offline'; m.reason = 'power' }, '/reason'],
    ['duplicate doors', (m) => { m.doors = ['a', 'a'] }, '/doors'],
    ['extra field', (m) => { m.ip = '10.0.0.2' }, '/ip'],
    ['firmware with U+0000', (m) => { m.firmware = '1.0\u0000' }, '/firmware'],
    ['vendor with a lone surrogate', (m) => { m.vendor = '\udbff' }, '/vendor'],
    ['model with a tab', (m) => { m.model = 'AR\t200' }, '/model'],
  ])

  it('status accepts the last will', () => {
    expect(validateUplink('status', JSON.parse('{"state":"offline","reason":"lwt"}')).ok).toBe(true)
  })

  rejectsUplink('heartbeat', [
    ['missing uptime', (m) => { delete m.uptimeS }, '/uptimeS'],
    ['negative allowlist version', (m) => { m.allowlistVersion = -1 }, '/allowlistVersion'],
    ['bad ts', (m) => { m.ts = 'yesterday' }, '/ts'],
    ['negative seq', (m) => { m.seq = -1 }, '/seq'],
    ['firmware with U+0000', (m) => { m.firmware = '\u0000' }, '/firmware'],
  ])

  rejectsUplink('reply', [
    ['missing requestId', (m) => { delete m.requestId }, '/requestId'],
    ['unknown command', (m) => { m.command = 'reboot' }, '/command'],
    ['wrong status', (m) => { m.status = 'done' }, '/status'],
    ['ok with error', (m) => { m.error = { code: 'x', message: 'y' } }, '/error'],
    ['error without error', (m) => { m.status = 'error'; m.command = 'config'; delete m.data }],
    ['allowlist-sync ok without version', (m) => { m.data = {} }],
    ['bad error code', (m) => { m.status = 'error'; m.error = { code: 'Version Gap', message: '' } }, '/error/code'],
    ['error message with U+0000', (m) => { m.status = 'error'; delete m.data; m.error = { code: 'busy', message: 'a\u0000b' } }, '/error/message'],
    ['requestId with U+0000', (m) => { m.requestId = 'r\u0000' }, '/requestId'],
    ['a string with U+0000 in data', (m) => { m.data = { version: 3, note: 'x\u0000' } }, '/data/note'],
    ['an object nested in data', (m) => { m.data = { version: 3, detail: { note: 'x\u0000' } } }, '/data/detail'],
    ['an array in data', (m) => { m.data = { version: 3, list: ['x'] } }, '/data/list'],
    ['data over 32 fields', (m) => { m.data = { version: 3, ...Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`k${i}`, i])) } }, '/data'],
  ])

  it('reply accepts an error reply, and flat data (a config reply echoes its settings)', () => {
    const m = { requestId: 'r1', command: 'allowlist-sync', status: 'error', error: { code: 'version_gap', message: 'holding 15\nbase 17' } }
    expect(validateUplink('reply', m).ok).toBe(true)
    const config = { requestId: 'r2', command: 'config', status: 'ok', data: { heartbeatS: 60, timezone: 'Asia/Shanghai', dst: false } }
    expect(validateUplink('reply', config).ok).toBe(true)
  })
})

describe('command schemas', () => {
  rejectsCommand('allowlist-sync', [
    ['delta without baseVersion', (m) => { delete m.baseVersion }],
    ['full with baseVersion', (m) => { m.mode = 'full'; m.remove = [] }, '/baseVersion'],
    ['full with removals', (m) => { m.mode = 'full'; delete m.baseVersion }, '/remove'],
    ['version 0', (m) => { m.version = 0 }, '/version'],
    ['unknown mode', (m) => { m.mode = 'patch' }, '/mode'],
    ['missing upsert', (m) => { delete m.upsert }, '/upsert'],
    ['a card number in the clear', (m) => { (m.upsert as Obj[])[0]!.value = 'E0040150A1B2C3D4' }, '/upsert/0/value'],
    ['a PIN hash in the clear (v1 revision 1)', (m) => {
      const e = (m.upsert as Obj[])[1]!
      delete e.digest
      e.value = `sha256:${'a'.repeat(64)}`
    }, '/upsert/1/digest'],
    ['a digest of another form', (m) => { (m.upsert as Obj[])[0]!.digest = `sha256:${'a'.repeat(64)}` }, '/upsert/0/digest'],
    ['a digest cut short', (m) => { (m.upsert as Obj[])[0]!.digest = 'hmac-sha256:FWkJDsDogeGNnTgBoWC6I' }, '/upsert/0/digest'],
    ['no keyId', (m) => { delete m.keyId }, '/keyId'],
    ['a keyId of another form', (m) => { m.keyId = 'ofYAob68XSI=' }, '/keyId'],
    ['weekday 0', (m) => { (m.upsert as Obj[])[1]!.windows = [{ days: [0], from: '08:00', to: '09:00' }] }, '/upsert/1/windows/0/days/0'],
    ['bad time of day', (m) => { (m.upsert as Obj[])[1]!.windows = [{ days: [1], from: '8:00', to: '24:00' }] }, '/upsert/1/windows/0/from'],
    ['bad validUntil', (m) => { (m.upsert as Obj[])[0]!.validUntil = '2026-13-01T00:00:00Z' }, '/upsert/0/validUntil'],
    ['bad credentialId in remove', (m) => { m.remove = ['ok', 'not ok'] }, '/remove/1'],
    ['missing requestId', (m) => { delete m.requestId }, '/requestId'],
    ['card value with U+0000', (m) => { (m.upsert as Obj[])[0]!.value = 'AB\u0000' }, '/upsert/0/value'],
  ])

  it('allowlist-sync accepts a full sync', () => {
    const m: Record<string, unknown> = { ...command('allowlist-sync'), mode: 'full', remove: [] }
    delete m.baseVersion
    expect(validateCommand('allowlist-sync', m).ok).toBe(true)
  })

  rejectsCommand('open-door', [
    ['missing door', (m) => { delete m.door }, '/door'],
    ['duration 0', (m) => { m.durationS = 0 }, '/durationS'],
    ['duration over 300', (m) => { m.durationS = 301 }, '/durationS'],
    ['reason too long', (m) => { m.reason = 'x'.repeat(201) }, '/reason'],
    ['reason with U+0000', (m) => { m.reason = 'x\u0000' }, '/reason'],
  ])

  rejectsCommand('config', [
    ['heartbeat too short', (m) => { m.heartbeatS = 4 }, '/heartbeatS'],
    ['held-open too long', (m) => { m.doorHeldOpenS = 3601 }, '/doorHeldOpenS'],
    ['bad timezone', (m) => { m.timezone = 'UTC+8 ' }, '/timezone'],
    ['unknown setting', (m) => { m.logLevel = 'debug' }, '/logLevel'],
  ])
})

describe('error reply schema', () => {
  it('accepts the sample and rejects an unknown code or too many errors', () => {
    expect(validateErrorReply(sampleErrorReply()).ok).toBe(true)
    expect(validateErrorReply({ ...sampleErrorReply(), code: 'teapot' }).ok).toBe(false)
    const errors = Array.from({ length: 11 }, () => ({ path: '', message: 'x' }))
    expect(validateErrorReply({ ...sampleErrorReply(), errors }).ok).toBe(false)
  })
})

describe('coverage of the samples', () => {
  it('has a valid sample for every channel and command', () => {
    for (const c of UPLINK_CHANNELS) expect(validateUplink(c, sampleUplinks()[c]).ok).toBe(true)
    for (const n of COMMAND_NAMES) expect(validateCommand(n, sampleCommands()[n]).ok).toBe(true)
  })
})
