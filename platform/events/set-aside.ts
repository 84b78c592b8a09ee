// Events whose values the database refuses (they passed validation, yet the
// database cannot store them) are set aside in DATA_DIR/journal/unindexable.jsonl
// so that one of them does not hold up every event behind it. The database
// does not have them, yet a copy of one is still a copy and its seq was used:
// admission asks here too.

import { existsSync, readFileSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { sqlState } from '../store/database.ts'
import { appendFully, syncDirectory } from '../store/durable-file.ts'
import type { Journaled, LogFigures } from './log-row.ts'

export class SetAside {
  /** Events set aside (device+seq -> eventId). */
  private readonly keys = new Map<string, string>()
  private readonly maxSeqs = new Map<string, number>()

  /** Reads what earlier runs set aside in `dir`. */
  constructor (private readonly deps: { dir: string; logger: Logger; counters: LogFigures }) {
    for (const line of readSetAside(deps.dir)) this.remember(line)
  }

  /** The eventId of the event set aside with this device and seq, if any. */
  eventIdOf (deviceId: string, seq: number): string | undefined {
    return this.keys.get(`${deviceId}\u0000${seq}`)
  }

  /** The highest seq of this device among the events set aside (-1 when none). */
  maxSeqOf (deviceId: string): number {
    return this.maxSeqs.get(deviceId) ?? -1
  }

  /** Writes the event to the file, durably, before the copy's progress moves past it. */
  async add (row: Journaled, err: unknown): Promise<void> {
    const path = join(this.deps.dir, 'unindexable.jsonl')
    const created = !existsSync(path)
    const file = await open(path, 'a', 0o600)
    try {
      const reason = err instanceof Error ? err.message : String(err)
      await appendFully(file, Buffer.from(`{"reason":${JSON.stringify(reason)},"code":${JSON.stringify(sqlState(err) ?? null)},"record":${row.line}}\n`))
      await file.datasync()
      // The progress row moves past this event next: the file's name must be durable too.
      if (created) syncDirectory(this.deps.dir)
    } finally {
      await file.close()
    }
    this.remember(row.line)
    this.deps.counters.unindexable++
    this.deps.logger.error({ err, logSeq: row.n }, 'event log: the database refused an event\'s values; it is set aside in DATA_DIR/journal/unindexable.jsonl')
  }

  private remember (line: string): void {
    const r = JSON.parse(line) as { d: string; e: string; s: number | null }
    if (r.s === null) return
    this.keys.set(`${r.d}\u0000${r.s}`, r.e)
    // Its seq was used, though the table does not show it: a device's highest seq counts it.
    this.maxSeqs.set(r.d, Math.max(r.s, this.maxSeqs.get(r.d) ?? -1))
  }
}

/** The records of DATA_DIR/journal/unindexable.jsonl (as journal lines). */
function readSetAside (dir: string): string[] {
  const file = join(dir, 'unindexable.jsonl')
  if (!existsSync(file)) return []
  const out: string[] = []
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue
    try {
      out.push(JSON.stringify((JSON.parse(line) as { record: unknown }).record))
    } catch {
      // a torn last line: that event was not acknowledged as set aside
    }
  }
  return out
}
