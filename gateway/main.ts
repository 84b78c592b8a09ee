// `npm run gateway -- --config site.yaml`: the site gateway as its own
// process. Reads and checks the site config (exit 2 with every problem listed
// when it is wrong), opens each reader's journal, starts one device session
// per reader (protocol §5.8) and the listeners of the models in use, sweeps
// the journals' age bound every minute, and on SIGTERM or SIGINT stops the
// listeners, says offline for each reader and closes the journals. One JSON
// line per log entry on stdout.

import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { HttpPushListener } from './legacy/http-push.ts'
import { shippedModels } from './legacy/reader-model.ts'
import { LegacyReaderSession } from './legacy/reader-session.ts'
import { TcpLineListener } from './legacy/tcp-line.ts'
import { Journal } from './journal/journal.ts'
import { SourceSequences } from './journal/sequences.ts'
import { loadSiteConfig, SiteConfigError } from './site-config.ts'
import { FrigateSite } from './frigate/frigate-site.ts'

const log = (level: 'info' | 'warn' | 'error', msg: string, detail: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...detail })}\n`)
}

async function main (): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string' }, help: { type: 'boolean' } } })
  if (values.help === true || values.config === undefined) {
    console.error('usage: npm run gateway -- --config site.yaml   (gateway/README.md describes the file)')
    process.exit(values.help === true ? 0 : 2)
  }
  const config = loadSiteConfig(values.config, shippedModels())
  mkdirSync(join(config.dataDir, 'allowlists'), { recursive: true, mode: 0o700 })
  const sequences = new SourceSequences(join(config.dataDir, 'sequences.json'))
  const journals: Journal[] = []
  const sessions = new Map<string, Map<string, LegacyReaderSession>>()
  for (const r of config.readers) {
    const journal = await Journal.open({ dir: join(config.dataDir, 'journal', r.device.id), ...config.journal })
    journals.push(journal)
    if (journal.recovery.waiting > 0 || journal.recovery.tornBytes > 0) log('info', 'journal recovered', { device: r.device.id, ...journal.recovery })
    const session = new LegacyReaderSession({
      url: config.mqttUrl, device: r.device, serial: r.serial, model: r.model, journal, sequences,
      allowlistFile: join(config.dataDir, 'allowlists', `${r.device.id}.json`),
      site: { doors: r.doors, ...(r.facing === undefined ? {} : { facing: r.facing }), cardsRegisteredAs: r.cardsRegisteredAs, timeZone: config.timeZone },
      onLog: (e) => log(e.level, e.msg, { device: e.deviceId, ...(e.detail === undefined ? {} : { detail: e.detail }) }),
    })
    const byModel = sessions.get(r.model.name) ?? new Map<string, LegacyReaderSession>()
    byModel.set(r.serial, session)
    sessions.set(r.model.name, byModel)
  }
  const listeners: Array<HttpPushListener | TcpLineListener> = []
  for (const l of config.listeners) {
    const readers = sessions.get(l.model.name) ?? new Map<string, LegacyReaderSession>()
    const listener = l.model.transport === 'http-push' ? new HttpPushListener(l.model, readers) : new TcpLineListener(l.model, readers)
    const port = await listener.listen(l.port, l.host)
    listeners.push(listener)
    log('info', 'listening', { model: l.model.name, transport: l.model.transport, host: l.host, port, readers: readers.size })
  }
  const all = [...sessions.values()].flatMap((m) => [...m.values()])
  // Started with retry: the uplink may be down when the gateway starts; the journals keep what comes meanwhile.
  for (const s of all) s.client.start({ retry: true }).catch((err: unknown) => log('error', 'device session did not start', { device: s.client.deviceId, err: String(err) }))
  // Frigate (gateway/frigate): one camera session per mapped Frigate camera, and the adapter on Frigate's broker.
  const frigate = config.frigate === undefined
    ? undefined
    : await FrigateSite.open({
      config: config.frigate, mqttUrl: config.mqttUrl, dataDir: config.dataDir, timeZone: config.timeZone, journal: config.journal, sequences,
      onLog: (e) => log(e.level, e.msg, { device: e.deviceId, ...(e.detail === undefined ? {} : { detail: e.detail }) }),
    })
  if (frigate !== undefined) {
    frigate.start()
    log('info', 'frigate adapter started', { url: config.frigate!.url, cameras: frigate.sessions.length })
  }
  const sweeper = setInterval(() => {
    for (const j of [...journals, ...(frigate?.journals ?? [])]) j.sweep()
  }, 60_000)
  sweeper.unref()
  log('info', 'gateway started', { readers: all.length, listeners: listeners.length, dataDir: config.dataDir })

  let stopping = false
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return
    stopping = true
    log('info', 'stopping', { signal })
    clearInterval(sweeper)
    for (const l of listeners) await l.close()
    await frigate?.stop() // closes its own journals
    await Promise.all(all.map((s) => s.client.stop({ graceful: true }).catch(() => {})))
    for (const j of journals) await j.close()
    log('info', 'stopped')
    process.exit(0)
  }
  process.on('SIGTERM', () => { stop('SIGTERM').catch(() => process.exit(1)) })
  process.on('SIGINT', () => { stop('SIGINT').catch(() => process.exit(1)) })
}

main().catch((err: unknown) => {
  if (err instanceof SiteConfigError) {
    console.error(err.message)
    process.exit(2)
  }
  console.error(err)
  process.exit(1)
})
