// npm run fuzz -- --seconds N [--seed S] [--budget U] [--sockets C] [--rate E]:
// the fuzzer (fuzz-run.ts) for a long run. Prints progress, then a summary,
// and as its last line the whole result as one JSON object. Exits 1 when an
// expectation failed (a crash, a lost acknowledgement or alert, a failed login).

import { parseArgs } from 'node:util'
import type { AttackKind } from './attacker.ts'
import { runFuzz, type FuzzResult } from './fuzz-run.ts'

const USAGE = `npm run fuzz -- [options]
  --seconds N   how long the attackers send (default 60)
  --seed S      seed of the mutations; the same seed sends the same bytes (default the time)
  --budget U    stop each attacker after U frames, chunks or payloads (default: no limit)
  --sockets C   connections each attacker keeps open (default 8)
  --rate E      honest access events per second (default 5)
  --attacks A   which attacks, comma-separated: frames, garbage, payloads (default all)`

const { values: a } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' }, seed: { type: 'string' }, budget: { type: 'string' },
    sockets: { type: 'string', default: '8' }, rate: { type: 'string', default: '5' }, attacks: { type: 'string', default: 'frames,garbage,payloads' },
    help: { type: 'boolean', default: false },
  },
})
if (a.help) {
  console.log(USAGE)
  process.exit(0)
}

function num (name: string, v: string, min: number, max: number): number {
  const n = Number(v)
  if (!Number.isFinite(n) || n < min || n > max) {
    console.error(`--${name} must be a number from ${min} to ${max}, got ${v}\n\n${USAGE}`)
    process.exit(2)
  }
  return n
}

const summary = (r: FuzzResult): string[] => {
  const l = (s: { count: number; p50: number; p99: number; max: number }): string => `p50 ${s.p50} ms, p99 ${s.p99} ms, max ${s.max} ms (${s.count})`
  return [
    `sent: ${r.sent.mutatedFrames} mutated frames, ${r.sent.garbageChunks} random chunks after a valid CONNECT, ` +
      `${r.sent.malformedPayloads} malformed payloads (${(r.sent.bytes / 1048576).toFixed(0)} MiB, ${r.sent.connections} connections, ` +
      `${r.sent.closedByBroker} closed by the broker)`,
    `platform: ${r.platform.crashes} crashes, memory ${r.platform.rssBeforeMb} MiB before, ${r.platform.rssAfterMb} MiB after, ` +
      `/health failures during the run ${r.platform.healthFailures}, after ${r.platform.healthAfter}`,
    `honest reader: ${r.honest.acked}/${r.honest.events} acknowledged, PUBACK ${l(r.honest.ackMs)}`,
    `dispatch: ${r.honest.alerts}/${r.honest.events} alerts, event to alert ${l(r.honest.alertMs)}`,
    `logins under the flood: ${r.honest.connects} ok, ${r.honest.connectFailures} failed, CONNACK ${l(r.honest.connackMs)}`,
    r.failures.length === 0 ? 'PASSED' : `FAILED:\n  - ${r.failures.join('\n  - ')}`,
  ]
}

const seconds = num('seconds', a.seconds, 1, 24 * 3600)
const KINDS: readonly AttackKind[] = ['frames', 'garbage', 'payloads']
const attacks = a.attacks.split(',').map((k) => k.trim())
const unknown = attacks.filter((k) => !(KINDS as readonly string[]).includes(k))
if (attacks.length === 0 || unknown.length > 0) {
  console.error(`--attacks takes ${KINDS.join(', ')}; got ${a.attacks}\n\n${USAGE}`)
  process.exit(2)
}
const result = await runFuzz({
  seconds,
  seed: a.seed ?? Date.now().toString(36),
  ...(a.budget === undefined ? {} : { budget: num('budget', a.budget, 1, Number.MAX_SAFE_INTEGER) }),
  sockets: num('sockets', a.sockets, 1, 1000),
  honestRate: num('rate', a.rate, 0.1, 1000),
  attacks: attacks as AttackKind[],
  onProgress: (line) => console.error(line),
})
if (result.platformLog !== undefined) console.log(`platform log (end):\n${result.platformLog}`)
for (const line of summary(result)) console.log(line)
console.log(JSON.stringify(result))
process.exit(result.failures.length === 0 ? 0 : 1)
