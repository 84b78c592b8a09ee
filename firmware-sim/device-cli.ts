// npm run device -- --url <mqtt://host:port> --building <id> --device-id <id> --secret <s>
//   [--kind reader|camera] [--door <id>] [--allowlist-key <64 hex>] [--heartbeat-s 60] [--line-period-s 60]
//   [--present-every <s> [--credential kind:value ...]] [--cross-every <s>] [--json]
//
// One simulated reader or camera (firmware-sim/device/, on the protocol
// client of protocol/device-client/) against any platform or broker, with
// the credentials from provisioning: the device a vendor points at the
// conformance kit before their own. It acts on a timer (--present-every,
// --cross-every) and on commands typed on stdin (`help`). Logs go to stdout;
// the secret and the allow-list key are never printed. Ctrl-C stops it with
// an offline {reason: shutdown} status (another Ctrl-C a second later exits at once).

import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { ALLOWLIST_KEY_PATTERN, CREDENTIAL_KINDS, DOOR_STATES, isValidId, type DoorState } from '../protocol/index.ts'
import { createCamera, createReader, type DeviceLogEntry, type SimCameraDevice, type SimReaderDevice } from './device/index.ts'

const USAGE = `usage: npm run device -- --url <url> --building <id> --device-id <id> --secret <secret> [options]

  --url <url>                 where to connect: mqtt://host:port or ws://host:port/mqtt (the provisioning's mqtt.url)
  --building <id>             the building id of its topics
  --device-id <id>            its device id (MQTT client id and user name)
  --secret <secret>           its secret (MQTT password); or set DEVICE_SECRET instead
  --kind reader|camera        default reader
  --door <id>                 the door it controls or watches (default main-gate)
  --allowlist-key <hex>       readers: the allow-list key from provisioning, 64 hex digits; or set DEVICE_ALLOWLIST_KEY
  --heartbeat-s <n>           heartbeat interval until a config command changes it (default 60)
  --line-period-s <n>         cameras: line-count period until a config command changes it (default 60)
  --present-every <s>         readers: present a credential every s seconds, the next of --credential each time
  --credential <kind:value>   repeatable; kinds ${CREDENTIAL_KINDS.join(', ')} (default card:04A1B2C3)
  --cross-every <s>           cameras: one person crosses the door line inwards every s seconds
  --firmware, --vendor, --model   what its status reports
  --json                      log JSON lines

commands on stdin: present <kind> <value> [in|out] · swipe <card> · door <${DOOR_STATES.join('|')}> [seconds]
  · cross <in|out> [people] · detect <people> · outage · back · status · help · quit`

class UsageError extends Error {}

type Device = SimReaderDevice | SimCameraDevice

function seconds (name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number of seconds, not ${JSON.stringify(value)}`)
  return n
}

function credential (text: string): { kind: (typeof CREDENTIAL_KINDS)[number]; value: string } {
  const i = text.indexOf(':')
  const kind = text.slice(0, i) as (typeof CREDENTIAL_KINDS)[number]
  if (i < 1 || !CREDENTIAL_KINDS.includes(kind) || i === text.length - 1) throw new UsageError(`--credential takes kind:value, e.g. card:04A1B2C3, not ${JSON.stringify(text)}`)
  return { kind, value: text.slice(i + 1) }
}

function parse (argv: string[], env: NodeJS.ProcessEnv) {
  const { values: v } = parseArgs({
    args: argv,
    strict: true,
    options: {
      url: { type: 'string' }, building: { type: 'string' }, 'device-id': { type: 'string' }, secret: { type: 'string' },
      kind: { type: 'string', default: 'reader' }, door: { type: 'string', default: 'main-gate' }, 'allowlist-key': { type: 'string' },
      'heartbeat-s': { type: 'string' }, 'line-period-s': { type: 'string' }, 'present-every': { type: 'string' },
      credential: { type: 'string', multiple: true }, 'cross-every': { type: 'string' },
      firmware: { type: 'string' }, vendor: { type: 'string' }, model: { type: 'string' },
      json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (v.help) throw new UsageError('')
  if (v.url === undefined || !/^(mqtts?|wss?|tcp):\/\//.test(v.url)) throw new UsageError('--url <url> is required, e.g. mqtt://127.0.0.1:1884')
  if (v.building === undefined || !isValidId(v.building)) throw new UsageError('--building <id> is required (the building id of its topics)')
  if (v['device-id'] === undefined || !isValidId(v['device-id'])) throw new UsageError('--device-id <id> is required')
  if (!isValidId(v.door)) throw new UsageError('--door takes a door id')
  if (v.kind !== 'reader' && v.kind !== 'camera') throw new UsageError('--kind must be reader or camera')
  const secret = v.secret ?? env.DEVICE_SECRET
  if (secret === undefined || secret === '') throw new UsageError('--secret <secret> (or DEVICE_SECRET) is required')
  const key = v['allowlist-key'] ?? env.DEVICE_ALLOWLIST_KEY
  if (key !== undefined && !new RegExp(ALLOWLIST_KEY_PATTERN).test(key)) throw new UsageError('--allowlist-key takes 64 lower-case hex digits')
  const presentEvery = seconds('present-every', v['present-every'])
  const crossEvery = seconds('cross-every', v['cross-every'])
  if (v.kind === 'camera' && presentEvery !== undefined) throw new UsageError('--present-every is for readers')
  if (v.kind === 'reader' && crossEvery !== undefined) throw new UsageError('--cross-every is for cameras')
  return {
    kind: v.kind,
    creds: { url: v.url, buildingId: v.building, deviceId: v['device-id'], door: v.door, password: secret, allowlistKey: key ?? null },
    heartbeatS: seconds('heartbeat-s', v['heartbeat-s']) ?? 60,
    lineCountPeriodS: seconds('line-period-s', v['line-period-s']) ?? 60,
    presentEvery,
    crossEvery,
    credentials: (v.credential ?? ['card:04A1B2C3']).map(credential),
    extras: { ...(v.firmware === undefined ? {} : { firmware: v.firmware }), ...(v.vendor === undefined ? {} : { vendor: v.vendor }), ...(v.model === undefined ? {} : { model: v.model }) },
    json: v.json,
  }
}

/** Carries out one line typed on stdin; returns false for quit. */
async function command (d: Device, line: string, log: (msg: string, detail?: unknown) => void): Promise<boolean> {
  const [verb, ...args] = line.trim().split(/\s+/)
  const reader = 'present' in d ? d : undefined
  const camera = 'cross' in d ? d : undefined
  switch (verb) {
    case undefined: case '': return true
    case 'quit': case 'exit': case 'stop': return false
    case 'help': log(USAGE.slice(USAGE.indexOf('commands on stdin'))); return true
    case 'status': log('status', { connected: d.connected, pending: d.pendingEvents, ...d.counters }); return true
    case 'outage': await d.disconnect(); log('offline on purpose (events are buffered); `back` to reconnect'); return true
    case 'back': log('reconnecting'); await d.reconnect(); return true
    case 'present': case 'swipe': {
      if (reader === undefined) break
      const [kind, value, dir] = verb === 'swipe' ? ['card', args[0], args[1]] : args
      const c = credential(`${kind}:${value ?? ''}`)
      const direction = dir === 'out' ? 'out' : 'in'
      log(`presented ${c.kind} ${c.kind === 'pin' ? '****' : c.value} (${direction}): ${await reader.present(c, direction)}`)
      return true
    }
    case 'door':
      if (reader === undefined || !DOOR_STATES.includes(args[0] as DoorState)) break
      await reader.doorEvent(args[0] as DoorState, args[1] === undefined ? undefined : Number(args[1]))
      log(`door ${args[0]}`)
      return true
    case 'cross':
      if (camera === undefined || (args[0] !== 'in' && args[0] !== 'out')) break
      camera.cross(args[0], Number(args[1] ?? 1))
      log(`${args[1] ?? 1} crossing(s) ${args[0]}, counted in the current period`)
      return true
    case 'detect':
      if (camera === undefined) break
      await camera.detect(Number(args[0] ?? 1))
      log(`detection of ${args[0] ?? 1}`)
      return true
  }
  log(`not understood for a ${reader ? 'reader' : 'camera'}: ${JSON.stringify(line.trim())} (try help)`)
  return true
}

async function main (): Promise<number> {
  let o: ReturnType<typeof parse>
  try {
    o = parse(process.argv.slice(2), process.env)
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    process.stderr.write(`${message === '' ? '' : `${message}\n\n`}${USAGE}\n`)
    return message === '' ? 0 : 2
  }
  const { creds } = o
  const write = (level: DeviceLogEntry['level'], msg: string, detail?: unknown): void => {
    const at = new Date().toISOString()
    process.stdout.write(o.json
      ? `${JSON.stringify({ at, level, device: creds.deviceId, msg, ...(detail === undefined ? {} : { detail }) })}\n`
      : `${at.slice(11, 23)} ${level.padEnd(5)} ${msg}${detail === undefined ? '' : ` ${JSON.stringify(detail)}`}\n`)
  }
  const log = (msg: string, detail?: unknown): void => write('info', msg, detail)
  const opts = {
    clock: { now: Date.now }, heartbeatS: o.heartbeatS, lineCountPeriodS: o.lineCountPeriodS, ...o.extras,
    onLog: (e: DeviceLogEntry) => write(e.level, e.msg, e.detail),
  }
  const d: Device = o.kind === 'reader' ? createReader(creds, opts) : createCamera(creds, opts)
  log(`${o.kind} ${creds.deviceId} of building ${creds.buildingId}, door ${creds.door}: connecting to ${creds.url}`)
  // Like a real device it keeps trying, with back-off, until it gets in or is stopped.
  d.start({ retry: true }).catch(() => {})

  const timers: NodeJS.Timeout[] = []
  let next = 0
  if (o.presentEvery !== undefined && 'present' in d) {
    timers.push(setInterval(() => {
      const c = o.credentials[next++ % o.credentials.length]!
      void command(d, `present ${c.kind} ${c.value} in`, log).catch((err: unknown) => write('error', String(err)))
    }, o.presentEvery * 1000))
  }
  if (o.crossEvery !== undefined && 'cross' in d) timers.push(setInterval(() => d.cross('in', 1), o.crossEvery * 1000))

  return await new Promise<number>((resolve) => {
    let stopping = false
    const stop = async (why: string): Promise<void> => {
      if (stopping) return
      stopping = true
      for (const t of timers) clearInterval(t)
      log(`${why}: publishing offline {reason: shutdown} and disconnecting`)
      await d.stop({ graceful: true })
      log('stopped', { ...d.counters })
      resolve(0)
    }
    // npm and tsx may relay the terminal's Ctrl-C once more: a second one counts only after a second.
    let interruptedAt = 0
    process.on('SIGINT', () => {
      if (stopping && Date.now() - interruptedAt > 1000) process.exit(130)
      interruptedAt ||= Date.now()
      void stop('interrupted')
    })
    process.on('SIGTERM', () => { void stop('terminated') })
    const rl = createInterface({ input: process.stdin, terminal: false })
    rl.on('line', (line) => {
      command(d, line, log).then((goOn) => { if (!goOn) void stop('quit') }, (err: unknown) => write('error', err instanceof Error ? err.message : String(err)))
    })
  })
}

main().then((code) => { process.exit(code) }, (err: unknown) => {
  process.stderr.write(`device failed: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(2)
})
