// The event journal: the file the event log makes an event durable in before
// the device's PUBACK. Appends go to the end of the newest segment as one
// write followed by fdatasync; each record is one line of JSON with its log
// position `n`. The database holds the same events, indexed for queries, and
// is filled from here a moment later (event-log.ts); a segment is deleted once
// every record in it is in the database.
//
// After a crash only the tail that was never synced can be damaged (a torn
// last line, or zeros where the file system had not written yet): opening
// the journal cuts the newest segment at its first unreadable line.

import { closeSync, existsSync, fdatasyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync } from 'node:fs'
import { open, unlink, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { appendFully, syncDirectory, writeDurably } from '../store/durable-file.ts'

export interface JournalRecord {
  /** Log position. */
  n: number
  /** The record's line, without its newline. */
  line: string
}

interface Segment {
  file: string
  firstN: number
  lastN: number
  bytes: number
}

export interface JournalOptions {
  /** A segment is closed and a new one started once it holds this many bytes (default 64 MiB). */
  segmentBytes?: number
}

export interface OpenedJournal {
  journal: EventJournal
  /** Every record still in the journal, oldest first. */
  records: JournalRecord[]
  /** Bytes cut from a damaged tail (0 after a clean stop). */
  truncatedBytes: number
}

const NAME = /^events-(\d{20})\.jsonl$/
const RELEASED = 'released-through'

export class EventJournal {
  private handle: FileHandle | undefined
  private writing = false

  private constructor (
    readonly dir: string,
    private readonly segments: Segment[],
    private readonly segmentBytes: number,
    /** Last position of the segments deleted so far (0: none): the database must hold everything up to it. */
    public releasedThrough: number,
  ) {}

  /** Opens (or creates) the journal in `dir` and reads back what it holds. */
  static open (dir: string, options: JournalOptions = {}): OpenedJournal {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const files = readdirSync(dir).filter((f) => NAME.test(f)).sort()
    const segments: Segment[] = []
    const records: JournalRecord[] = []
    let truncatedBytes = 0
    files.forEach((file, i) => {
      const path = join(dir, file)
      const text = readFileSync(path, 'utf8')
      const newest = i === files.length - 1
      const { good, goodBytes } = readRecords(text)
      if (goodBytes < Buffer.byteLength(text)) {
        if (!newest) throw new Error(`event journal ${path} is damaged at byte ${goodBytes} (not its newest segment): restore it or move it away`)
        truncatedBytes = Buffer.byteLength(text) - goodBytes
        const fd = openSync(path, 'r+')
        try { ftruncateSync(fd, goodBytes); fdatasyncSync(fd) } finally { closeSync(fd) }
      }
      for (const r of good) {
        const last = records[records.length - 1]
        if (last !== undefined && r.n <= last.n) throw new Error(`event journal ${path}: position ${r.n} after ${last.n}`)
        records.push(r)
      }
      if (good.length === 0) {
        unlinkSync(path)
        return
      }
      segments.push({ file: path, firstN: good[0]!.n, lastN: good[good.length - 1]!.n, bytes: goodBytes })
    })
    const marker = join(dir, RELEASED)
    const releasedThrough = existsSync(marker) ? Number(readFileSync(marker, 'utf8').trim()) || 0 : 0
    return { journal: new EventJournal(dir, segments, options.segmentBytes ?? 64 * 1024 * 1024, releasedThrough), records, truncatedBytes }
  }

  /** Position of the last record (0: empty). */
  get lastN (): number {
    return this.segments[this.segments.length - 1]?.lastN ?? 0
  }

  /** Segments on disk (the tests read it). */
  get segmentCount (): number {
    return this.segments.length
  }

  /**
   * Appends records `firstN`..`lastN` (their lines joined by newlines, ending in one) and syncs them to the
   * disk. One append at a time.
   */
  async append (text: string, firstN: number, lastN: number): Promise<void> {
    if (this.writing) throw new Error('event journal: one append at a time')
    this.writing = true
    try {
      let seg = this.segments[this.segments.length - 1]
      if (seg === undefined || seg.bytes >= this.segmentBytes) {
        await this.handle?.close()
        this.handle = undefined
        seg = { file: join(this.dir, `events-${String(firstN).padStart(20, '0')}.jsonl`), firstN, lastN: firstN - 1, bytes: 0 }
        this.segments.push(seg)
      }
      if (this.handle === undefined) {
        this.handle = await open(seg.file, 'a', 0o600)
        // The new file's name must be durable before anything in it is acknowledged.
        if (seg.bytes === 0) syncDirectory(this.dir)
      }
      const buf = Buffer.from(text)
      await appendFully(this.handle, buf)
      await this.handle.datasync()
      seg.bytes += buf.length
      seg.lastN = lastN
    } finally {
      this.writing = false
    }
  }

  /** Whole segments (never the one being written) whose records are all at or below `throughN`. */
  releasable (throughN: number): number {
    let k = 0
    while (k < this.segments.length - 1 && this.segments[k]!.lastN <= throughN) k++
    return k
  }

  /** Deletes the first `count` segments (see `releasable`). */
  async release (count: number): Promise<void> {
    const gone = this.segments.splice(0, count)
    const last = gone[gone.length - 1]
    if (last === undefined) return
    this.releasedThrough = last.lastN
    writeDurably(join(this.dir, RELEASED), `${last.lastN}\n`)
    for (const seg of gone) await unlink(seg.file)
  }

  async close (): Promise<void> {
    await this.handle?.close()
    this.handle = undefined
  }
}

/** The readable records of a segment's text, and how many bytes they take (up to the first bad line). */
function readRecords (text: string): { good: JournalRecord[]; goodBytes: number } {
  const good: JournalRecord[] = []
  let pos = 0
  let goodBytes = 0
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos)
    if (nl < 0) break // a last line without its newline was never completely written
    const line = text.slice(pos, nl)
    const n = positionOf(line)
    if (n === undefined) break
    good.push({ n, line })
    goodBytes += Buffer.byteLength(line) + 1
    pos = nl + 1
  }
  return { good, goodBytes }
}

function positionOf (line: string): number | undefined {
  try {
    const v = JSON.parse(line) as { n?: unknown }
    return typeof v.n === 'number' && Number.isSafeInteger(v.n) && v.n > 0 ? v.n : undefined
  } catch {
    return undefined
  }
}
