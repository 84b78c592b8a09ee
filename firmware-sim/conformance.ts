// npm run conformance -- --device <id> --building <id> [--kind reader|camera]
//   [--listen <port> [--host <addr>] | --broker mqtt://host:port [--username u --password p]]
//   [--door <id>] [--interactive] [--json] [--skip id,id] [--heartbeat-s 5] [--line-period-s 5]
//   [--outage-s 20] [--reply-timeout-s 10] [--connect-timeout-s 120] [--reconnect-timeout-s 120]
//   [--grace-s 65] [--clock-tolerance-s 5] [--allowlist-key <64 hex>]
//
// Checks a device against the device protocol rh/v1 and prints a PASS/FAIL
// report per requirement (docs/conformance.md). Exit code 0 when nothing
// failed, 1 when something did, 2 for a usage error. Progress goes to stderr,
// the report to stdout.

import { createInterface } from 'node:readline/promises'
import { parseArgs } from 'node:util'
import { ALLOWLIST_KEY_PATTERN, isValidId } from '../protocol/index.ts'
import { DEFAULT_LISTEN_PORT, formatReport, KIT_ALLOWLIST_KEY, REQUIREMENTS, runConformance, type ConformanceOptions } from './conformance/index.ts'

const USAGE = `usage: npm run conformance -- --device <id> --building <id> [options]

  --kind reader|camera        the device under test (default reader)
  --listen <port>             the kit is the device's broker on this port (default ${DEFAULT_LISTEN_PORT}); point the device at it
  --host <address>            interface to listen on (default 0.0.0.0)
  --broker <url>              instead: watch a broker the device is connected to (mqtt://host:port)
  --username <u> --password <p>   the kit's own login on that broker
  --door <id>                 the reader's door for open-door (default: from its online status)
  --allowlist-key <hex>       the reader's allow-list key, 64 hex digits (default the kit's test key ${KIT_ALLOWLIST_KEY.slice(0, 8)}…)
  --interactive               wait for Enter when credentials are to be presented and during the outage
  --json                      print the report as JSON
  --skip <id,...>             requirements not to judge; "reconnect" also skips the outage step
  --heartbeat-s <n>           heartbeatS sent in config (default 5)
  --line-period-s <n>         lineCountPeriodS sent to cameras (default 5)
  --outage-s <n>              how long the kit refuses the device after dropping it (default 20)
  --reply-timeout-s <n>       per command (default 10)
  --connect-timeout-s <n>     for the device to connect at the start (default 120)
  --reconnect-timeout-s <n>   for the device to be back after the drop (default 120)
  --grace-s <n>               how long an old heartbeat schedule may still run after config (default 65)
  --clock-tolerance-s <n>     largest accepted clock difference (default 5)

requirements: ${REQUIREMENTS.map((r) => r.id).join(', ')}`

class UsageError extends Error {}

function positive (name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number, not ${JSON.stringify(value)}`)
  return n
}

function options (argv: string[]): { run: ConformanceOptions; json: boolean; interactive: boolean } {
  const { values: v } = parseArgs({
    args: argv,
    strict: true,
    options: {
      device: { type: 'string' }, building: { type: 'string' }, kind: { type: 'string', default: 'reader' },
      listen: { type: 'string' }, host: { type: 'string' }, broker: { type: 'string' }, username: { type: 'string' }, password: { type: 'string' },
      door: { type: 'string' }, interactive: { type: 'boolean', default: false }, json: { type: 'boolean', default: false },
      skip: { type: 'string' }, 'heartbeat-s': { type: 'string' }, 'line-period-s': { type: 'string' }, 'outage-s': { type: 'string' },
      'reply-timeout-s': { type: 'string' }, 'connect-timeout-s': { type: 'string' }, 'reconnect-timeout-s': { type: 'string' },
      'grace-s': { type: 'string' }, 'clock-tolerance-s': { type: 'string' }, 'allowlist-key': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (v.help) throw new UsageError('')
  if (v.device === undefined || !isValidId(v.device)) throw new UsageError('--device <id> is required (the device id: its MQTT client id and user name)')
  if (v.building === undefined || !isValidId(v.building)) throw new UsageError('--building <id> is required (the building id of its topics)')
  if (v.kind !== 'reader' && v.kind !== 'camera') throw new UsageError('--kind must be reader or camera')
  if (v.broker !== undefined && v.listen !== undefined) throw new UsageError('--listen and --broker exclude each other')
  const key = v['allowlist-key']
  if (key !== undefined && !new RegExp(ALLOWLIST_KEY_PATTERN).test(key)) throw new UsageError('--allowlist-key takes the reader\'s key: 64 lower-case hex digits')
  if (v.broker !== undefined && !/^(mqtts?|wss?|tcp):\/\//.test(v.broker)) throw new UsageError('--broker takes a URL such as mqtt://host:1883')
  const port = v.listen === undefined ? DEFAULT_LISTEN_PORT : Number(v.listen)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--listen takes a port number')
  const num = (name: string): number | undefined => positive(name, v[name as keyof typeof v] as string | undefined)
  const s = (n: number | undefined, f: (x: number) => number): number | undefined => (n === undefined ? undefined : f(n))
  const run: ConformanceOptions = {
    deviceId: v.device,
    buildingId: v.building,
    kind: v.kind,
    ...(v.broker !== undefined
      ? { broker: { url: v.broker, ...(v.username === undefined ? {} : { username: v.username }), ...(v.password === undefined ? {} : { password: v.password }) } }
      : { listen: { port, host: v.host ?? '0.0.0.0' } }),
    ...(v.door === undefined ? {} : { door: v.door }),
    ...(key === undefined ? {} : { allowlistKey: key }),
    ...(v.skip === undefined ? {} : { skip: v.skip.split(',').map((x) => x.trim()).filter((x) => x !== '') }),
  }
  const set = <K extends keyof ConformanceOptions>(key: K, value: ConformanceOptions[K] | undefined): void => { if (value !== undefined) run[key] = value }
  set('heartbeatS', num('heartbeat-s'))
  set('lineCountPeriodS', num('line-period-s'))
  set('outageS', num('outage-s'))
  set('replyTimeoutMs', s(num('reply-timeout-s'), (x) => x * 1000))
  set('connectTimeoutMs', s(num('connect-timeout-s'), (x) => x * 1000))
  set('reconnectTimeoutS', num('reconnect-timeout-s'))
  set('graceS', num('grace-s'))
  set('clockToleranceS', num('clock-tolerance-s'))
  return { run, json: v.json, interactive: v.interactive }
}

async function main (): Promise<number> {
  let parsed: ReturnType<typeof options>
  try {
    parsed = options(process.argv.slice(2))
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    process.stderr.write(`${message === '' ? '' : `${message}\n\n`}${USAGE}\n`)
    return message === '' ? 0 : 2
  }
  const { run, json, interactive } = parsed
  run.log = (line) => process.stderr.write(`[conformance] ${line}\n`)
  if (interactive) {
    run.prompt = async (text) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr })
      try {
        await rl.question(`\n>>> ${text} `)
      } finally {
        rl.close()
      }
    }
  }
  const report = await runConformance(run)
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`)
  return report.passed ? 0 : 1
}

main().then((code) => { process.exitCode = code }, (err: unknown) => {
  process.stderr.write(`conformance kit failed: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exitCode = 2
})
