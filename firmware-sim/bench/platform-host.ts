// Child process: the whole platform on embedded defaults (or a scratch
// PostgreSQL database), as the benchmark's system under test. Reports its
// addresses and administrator login over IPC, answers `probe` with its
// counters and latencies, and stops (removing its data) on `stop` or when the
// parent goes away.

import { startEmbeddedPlatform, type DatabaseChoice } from '../load/embedded-platform.ts'

export type PlatformHostMessage =
  | { type: 'ready'; api: string; mqtt: string; username: string; password: string }
  | { type: 'probe'; probe: ReturnType<Awaited<ReturnType<typeof startEmbeddedPlatform>>['probe']> }
  | { type: 'error'; message: string }

const send = (m: PlatformHostMessage): void => { process.send?.(m) }
const database = (process.argv[2] ?? 'pglite') as DatabaseChoice

try {
  const p = await startEmbeddedPlatform({ database })
  let stopping = false
  const stop = (): void => {
    if (stopping) return
    stopping = true
    p.stop().finally(() => process.exit(0))
    setTimeout(() => process.exit(1), 15_000).unref()
  }
  process.on('message', (m: { type?: string }) => {
    if (m.type === 'probe') send({ type: 'probe', probe: p.probe() })
    else if (m.type === 'stop') stop()
  })
  process.on('disconnect', stop)
  // Ctrl-C reaches the whole process group: stop cleanly (the data directory or scratch database goes too).
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  send({ type: 'ready', api: p.api, mqtt: p.mqtt, username: p.admin.username, password: p.admin.password })
} catch (err) {
  send({ type: 'error', message: String(err) })
  process.exit(1)
}
