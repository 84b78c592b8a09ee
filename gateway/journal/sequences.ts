// The seq and eventId of the events the gateway makes itself (a legacy
// reader's swipe, a camera's line crossing), per source, surviving restarts:
// the platform keeps an event once by (device, eventId) and orders by seq, so
// a replay after any crash must carry the numbers it had, and a new event a
// higher seq than any before it.
//
// The eventId is fixed when the event is made and travels in its payload,
// which the journal keeps. For seq, the file holds per source a ceiling no seq
// has reached yet: numbers are handed out below it, and before the ceiling is
// passed a higher one is written (synced) first. After a crash numbering goes
// on from the ceiling, so at most a block of numbers is skipped, never reused.

import { randomUUID } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { writeSynced } from './disk.ts'

const BLOCK = 1000

export class SourceSequences {
  private readonly ceilings: Record<string, number>
  private readonly next = new Map<string, number>()

  constructor (private readonly file: string, private readonly now: () => number = Date.now) {
    this.ceilings = existsSync(file) ? parseCeilings(readFileSync(file, 'utf8'), file) : {}
  }

  /** Numbers for a new event of `source` (a device id). */
  stamp (source: string): { seq: number; eventId: string } {
    // A source never seen starts at the current time in ms, as a device without stored counters does (§10.1).
    const seq = this.next.get(source) ?? this.ceilings[source] ?? Math.floor(this.now())
    if (seq >= (this.ceilings[source] ?? 0)) {
      this.ceilings[source] = seq + BLOCK
      this.save()
    }
    this.next.set(source, seq + 1)
    return { seq, eventId: randomUUID() }
  }

  private save (): void {
    writeSynced(this.file, JSON.stringify(this.ceilings))
  }
}

function parseCeilings (text: string, file: string): Record<string, number> {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new Error(`${file} is not JSON: the gateway's sequence numbers cannot be trusted; restore it or move it away`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${file} does not hold an object of ceilings`)
  const out: Record<string, number> = {}
  for (const [k, v] of Object.entries(parsed)) {
    if (!Number.isSafeInteger(v) || (v as number) < 0) throw new Error(`${file}: the ceiling of ${k} is not a whole number`)
    out[k] = v as number
  }
  return out
}
