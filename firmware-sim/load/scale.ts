// The scale figures of one platform node (docs/benchmarks.md):
// - connections: memory per idle device connection (heartbeats only), from
//   the platform's RSS and heap at 0 and at each level of connections;
// - residents: memory per resident of the registry view the pipeline keeps
//   in memory, from a fresh view loaded at each registry size (residents are
//   registered straight through the registry, in-process, for speed);
// - latency: events/s as fast as acknowledgements allow, then p50/p99 at
//   half and at that full rate.

import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { CredentialSecrets, IdVault, MemoryRegistryView, Registry, type Actor } from '../../platform/starter.ts'
import { inParallel } from './in-parallel.ts'
import type { EmbeddedPlatform } from './embedded-platform.ts'
import type { LoadTarget } from './load-target.ts'
import { machineInfo, runLoad, type LoadOptions } from './load-run.ts'
import { Progress } from './progress-bar.ts'
import { loadIdNumber, provisionSite, runTag } from './provision.ts'
import { PublisherPool } from './publisher-pool.ts'
import type { LoadReport } from './report.ts'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const MiB = 2 ** 20

interface Memory { rssMiB: number | null; heapMiB: number | null; externalMiB: number | null }

/** RSS, heap and external memory after full collections and a quiet moment (in-process), or the target's RSS. */
async function settledMemory (target: LoadTarget): Promise<Memory> {
  const inProcess = 'embedded' in target
  for (let i = 0; i < 3; i++) {
    if (inProcess) { gc(); gc() }
    await new Promise((r) => setTimeout(r, 1000))
  }
  const s = await target.sample()
  const mib = (b: number | undefined): number | null => b === undefined ? null : Math.round((b / MiB) * 10) / 10
  return { rssMiB: mib(s.rssBytes), heapMiB: mib(s.heapBytes), externalMiB: inProcess ? mib(process.memoryUsage().external) : null }
}

/** KiB per connection between two measurements. */
function perConnection (now: Memory, was: Memory, connections: number): Record<string, number | null> {
  const per = (a: number | null, b: number | null): number | null => a === null || b === null || connections <= 0 ? null : Math.round(((a - b) * 1024 / connections) * 10) / 10
  return { rssKiB: per(now.rssMiB, was.rssMiB), heapKiB: per(now.heapMiB, was.heapMiB), externalKiB: per(now.externalMiB, was.externalMiB) }
}

const levelsOf = (raw: string | undefined, fallback: number[]): number[] =>
  raw === undefined ? fallback : raw.split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0).sort((x, y) => x - y)

async function connections (target: LoadTarget, levels: number[], holdS: number, base: LoadOptions, progress: Progress) {
  const max = levels.at(-1)!
  const perBuilding = 100
  const site = await provisionSite(target.api, {
    buildings: Math.ceil(max / perBuilding), devicesPerBuilding: perBuilding, residentsPerBuilding: 2, tag: runTag(),
    onProgress: (what, done, total) => progress.update('provisioning', done / total, `${what} ${done}/${total}`),
  })
  progress.done()
  const baseline = await settledMemory(target)
  const pools: PublisherPool[] = []
  const rows: Array<Record<string, unknown>> = []
  try {
    let open = 0
    let previous = { mem: baseline, open: 0 }
    for (const level of levels) {
      const pool = new PublisherPool({
        url: target.mqtt, devices: site.devices.slice(open, level), rate: 0, durationS: 24 * 3600, unknownShare: 0, window: 1,
        runId: `idle${level}`, seqBase: 1, rampPerS: base.rampPerS, heartbeatS: base.heartbeatS > 0 ? base.heartbeatS : 30, events: false, perChild: base.perChild,
      })
      pools.push(pool)
      pool.onRamp = (c, f) => progress.update('connecting', (open + c + f) / level, `${open + c}/${level} connected${f > 0 ? `, ${f} failed` : ''}`)
      const t = await pool.connect()
      pool.start()
      open += t.connected
      for (let s = 0; s < holdS; s++) {
        progress.update('holding', s / holdS, `${open} connections, ${s}/${holdS} s`)
        await new Promise((r) => setTimeout(r, 1000))
      }
      progress.done()
      const mem = await settledMemory(target)
      rows.push({
        connections: open, failed: t.connectFailed, dropped: pools.reduce((n, p) => n + p.totals().dropped, 0), ...mem,
        perConnectionFromBaseline: perConnection(mem, baseline, open),
        perConnectionFromPreviousLevel: perConnection(mem, previous.mem, open - previous.open),
      })
      previous = { mem, open }
      progress.log(`${open} connections: RSS ${mem.rssMiB} MiB, heap ${mem.heapMiB} MiB, external ${mem.externalMiB} MiB`)
    }
  } finally {
    for (const p of pools) p.close()
  }
  return { kind: 'connections', heartbeatS: base.heartbeatS > 0 ? base.heartbeatS : 30, holdS, baseline, levels: rows }
}

async function residents (embedded: EmbeddedPlatform, levels: number[], progress: Progress) {
  const db = embedded.platform.db
  // A registry of our own on the platform's database: the same writes, without the platform
  // reloading a building's view and pushing allow-lists after every registration (the fresh
  // view below, and the platform's own at the end of each level, load them all).
  const registry = new Registry({ db, vault: IdVault.fromKey(embedded.dataKey), secrets: CredentialSecrets.fromKey(embedded.dataKey) })
  const adminId = (await db.query<{ id: string }>('select id from users where username = $1', [embedded.admin.username])).rows[0]!.id
  const root: Actor = { id: adminId, role: 'admin', username: embedded.admin.username }
  const t = runTag()
  await registry.areas.create(root, { id: `${t}-d`, kind: 'district', name: 'D' })
  await registry.areas.create(root, { id: `${t}-s`, parentId: `${t}-d`, kind: 'street', name: 'S' })
  await registry.areas.create(root, { id: `${t}-c`, parentId: `${t}-s`, kind: 'community', name: 'C' })
  await registry.areas.create(root, { id: `${t}-g`, parentId: `${t}-c`, kind: 'grid', name: 'G' })
  // 100 residents a building, two a room, a card each.
  const rows: Array<Record<string, unknown>> = []
  let n = 0
  const started = Date.now()
  for (const level of levels) {
    // A building at a time: its rooms, then its residents, several registrations in flight.
    for (; n < level; n += 100) {
      const b = `${t}-b${n / 100}`
      await registry.buildings.create(root, { id: b, gridId: `${t}-g`, name: b, address: 'Loopback' })
      const people = Array.from({ length: Math.min(100, level - n) }, (_, k) => n + k)
      for (let r = 0; r < people.length / 2; r++) await registry.buildings.createRoom(root, b, { id: `${b}-r${r}`, number: `R${r}`, capacity: 2 })
      await inParallel(people, 8, (p, k) => registry.registrations.register(root, `${b}-r${Math.floor(k / 2)}`, {
        resident: { name: `Resident ${p}`, idType: 'resident_id', idNumber: loadIdNumber(p) },
        credentials: [{ kind: 'card', value: `D${p.toString(16).padStart(10, '0')}` }],
      }))
      progress.update('registering', (n + 100) / levels.at(-1)!, `${n + people.length}/${levels.at(-1)} residents, ${Math.round((n + people.length) / Math.max(1, (Date.now() - started) / 1000))}/s`)
    }
    progress.done()
    await embedded.platform.view.loadAll()
    gc(); gc()
    const before = process.memoryUsage().heapUsed
    const view = new MemoryRegistryView(db)
    const t0 = Date.now()
    await view.loadAll()
    const loadMs = Date.now() - t0
    gc(); gc()
    const after = process.memoryUsage().heapUsed
    rows.push({
      residents: level, buildings: Math.ceil(level / 100), viewMiB: Math.round(((after - before) / MiB) * 10) / 10,
      bytesPerResident: Math.round((after - before) / level), loadMs, platformRssMiB: Math.round(process.memoryUsage().rss / MiB),
    })
    progress.log(`${level} residents: view ${rows.at(-1)!.viewMiB} MiB (${rows.at(-1)!.bytesPerResident} B each), loaded in ${loadMs} ms`)
    void view
  }
  return { kind: 'residents', levels: rows }
}

async function latency (target: LoadTarget, base: LoadOptions, progress: Progress) {
  const brief = (r: LoadReport, label: string) => ({
    run: label, rate: r.config.rate, ackedPerS: r.rates.ackedPerS, processedPerS: r.rates.processedPerS,
    decision: r.latency.decision ?? null, committed: r.latency.committed ?? null, delivered: r.latency.delivered ?? null, ack: r.latency.ack ?? null,
    cpuPercentMean: r.resources.cpuPercentMean, rssMiBMax: r.resources.rssMiBMax,
  })
  progress.log('as fast as acknowledgements allow:')
  const max = await runLoad(target, { ...base, rate: 0 }, progress)
  const full = Math.max(100, Math.round(max.rates.processedPerS / 100) * 100)
  progress.log(`sustained ${max.rates.processedPerS}/s; now paced at ${full / 2}/s, then ${full}/s`)
  const half = await runLoad(target, { ...base, rate: full / 2 }, progress)
  const at = await runLoad(target, { ...base, rate: full }, progress)
  return { kind: 'latency', eventsPerS: max.rates.processedPerS, runs: [brief(max, 'max'), brief(half, 'half'), brief(at, 'full')] }
}

export async function runScale (target: LoadTarget, kind: string, o: { levels: string | undefined; holdS: number; base: LoadOptions }, progress = new Progress()): Promise<Record<string, unknown>> {
  let result: Record<string, unknown>
  if (kind === 'connections') {
    result = await connections(target, levelsOf(o.levels, [1000, 3000, 5000]), o.holdS, o.base, progress)
  } else if (kind === 'residents') {
    if (!('embedded' in target)) throw new Error('--scale residents runs against the platform started here (no --api)')
    result = await residents((target as LoadTarget & { embedded: EmbeddedPlatform }).embedded, levelsOf(o.levels, [10_000, 50_000]), progress)
  } else if (kind === 'latency') {
    result = await latency(target, o.base, progress)
  } else {
    throw new Error(`--scale is connections, residents or latency, not ${kind}`)
  }
  return { ...result, target: target.info, machine: machineInfo() }
}
