// The gateway's store-and-forward journal: every event the gateway takes from
// a device behind it is written here and synced to disk before the device is
// told it was received, and stays until the platform's PUBACK. Events leave
// in the order they came; a lost uplink puts those in flight back, unchanged.
//
// On disk: numbered segment files of framed records (frames.ts) in one
// directory: `e` an event, `a` acknowledged by the platform, `d` dropped,
// `h` the header opening each segment (the next id, so ids never repeat).
// When the active segment is full a new one is opened, and the oldest
// segment, once less than half of it is still waiting, is compacted: what
// still waits is copied forward with its id and the file deleted. Oldest
// first only, so an acknowledgement is never deleted before the event it
// acknowledges.
//
// Bounds (stated, counted): the bytes of waiting events (`maxBytes`) and
// their age (`maxAgeMs`; alarms `alarmMaxAgeMs`). Over the byte bound the
// oldest ordinary event goes first; alarms (a forced door, tamper) only when
// nothing else is left.

import { mkdirSync, readdirSync, readFileSync, truncateSync } from 'node:fs'
import { open, rm, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import type { EventBuffer } from '../../protocol/device-client/index.ts'
import { appendAll, syncDir } from './disk.ts'
import { frame, readFrames } from './frames.ts'

export interface JournalEvent {
  /** The journal's own order: increasing, never reused. Not the protocol's seq or eventId (those are in the payload). */
  readonly id: number
  /** When the gateway took it (ms since the epoch, the gateway's clock): what the age bound is measured on. */
  readonly at: number
  readonly topic: string
  readonly payload: string
  /** Kept longest: dropped only when nothing ordinary is left to drop. */
  readonly alarm: boolean
}

export interface JournalOptions {
  dir: string
  /** Bytes of waiting events (topic and payload) at most; default 256 MiB. */
  maxBytes?: number
  /** An ordinary event waiting longer is dropped; default 7 days. */
  maxAgeMs?: number
  /** An alarm waiting longer is dropped; default 30 days. */
  alarmMaxAgeMs?: number
  /** A segment file is closed and a new one begun past this size; default 4 MiB. */
  segmentBytes?: number
  now?: () => number
}

export interface JournalDrops {
  /** Ordinary events dropped to keep within maxBytes. */
  bytes: number
  /** Ordinary events dropped for age. */
  age: number
  /** Alarms dropped (for bytes or age). */
  alarms: number
  /** Thrown away on purpose (`discard`). */
  discarded: number
}

export interface JournalRecovery {
  segments: number
  waiting: number
  /** A torn last frame cut off (a crash during a write that nobody was told had succeeded). */
  tornBytes: number
  /** Segments whose reading stopped at a damaged frame before their end. */
  damagedSegments: number
}

type Rec =
  | { k: 'h'; next: number }
  | { k: 'e'; id: number; at: number; topic: string; payload: string; alarm: boolean }
  | { k: 'a' | 'd'; id: number }

/** `kept`: its write is on disk. Until then it is not sent: an event whose write fails was never received. */
interface Waiting { event: JournalEvent; segment: number; bytes: number; kept: boolean }

interface Write { buf: Buffer; done: (err?: unknown) => void }

const SEGMENT = /^seg-(\d{12})\.jrn$/
const segmentName = (n: number): string => `seg-${String(n).padStart(12, '0')}.jrn`
const sizeOf = (e: { topic: string; payload: string }): number => Buffer.byteLength(e.topic) + Buffer.byteLength(e.payload)

/** It is the event buffer of a gateway's device client (protocol/device-client): `push` is `append`. */
export class Journal implements EventBuffer {
  readonly drops: JournalDrops = { bytes: 0, age: 0, alarms: 0, discarded: 0 }
  /** What opening found. */
  recovery: JournalRecovery = { segments: 0, waiting: 0, tornBytes: 0, damagedSegments: 0 }

  private readonly waiting: Waiting[] = []
  private cursor = 0
  private waitingBytes = 0
  private nextId = 1
  /** Per segment number: bytes written, and bytes of its events still waiting. */
  private readonly segments = new Map<number, { size: number; live: number; durable: number }>()
  private active = 0
  private handle: FileHandle | undefined
  private queue: Write[] = []
  private flushing: Promise<void> | undefined
  private closed = false
  private readonly maxBytes: number
  private readonly maxAgeMs: number
  private readonly alarmMaxAgeMs: number
  private readonly segmentBytes: number
  private readonly now: () => number

  private constructor (private readonly o: JournalOptions) {
    this.maxBytes = o.maxBytes ?? 256 * 1024 * 1024
    this.maxAgeMs = o.maxAgeMs ?? 7 * 24 * 3600_000
    this.alarmMaxAgeMs = o.alarmMaxAgeMs ?? 30 * 24 * 3600_000
    this.segmentBytes = o.segmentBytes ?? 4 * 1024 * 1024
    this.now = o.now ?? Date.now
    for (const [name, v] of [['maxBytes', this.maxBytes], ['maxAgeMs', this.maxAgeMs], ['alarmMaxAgeMs', this.alarmMaxAgeMs], ['segmentBytes', this.segmentBytes]] as const) {
      if (!Number.isFinite(v) || v <= 0) throw new RangeError(`journal ${name} must be a positive number, not ${v}`)
    }
  }

  /** Opens the journal in `o.dir` (made if missing), recovering what a crash left. */
  static async open (o: JournalOptions): Promise<Journal> {
    const j = new Journal(o)
    await j.recover()
    return j
  }

  /** Events waiting (including those in flight). */
  get depth (): number { return this.waiting.length }
  get size (): number { return this.waiting.length }
  /** All drops, whatever the reason. */
  get dropped (): number { return this.drops.bytes + this.drops.age + this.drops.alarms + this.drops.discarded }
  get inFlight (): number { return this.cursor }
  /** Bytes of the waiting events' topics and payloads. */
  get bytes (): number { return this.waitingBytes }
  /** When the oldest waiting event was taken; undefined when none waits. */
  get oldestAt (): number | undefined {
    let oldest: number | undefined
    for (const w of this.waiting) if (oldest === undefined || w.event.at < oldest) oldest = w.event.at
    return oldest
  }

  /** Segment files on disk now. */
  get segmentCount (): number { return this.segments.size }

  /**
   * Records an event; resolves once it is on disk (written and synced): only then may the device behind the
   * gateway be told it was received. Over the byte bound, older events are dropped to make room (see above).
   */
  async append (e: { topic: string; payload: string; alarm?: boolean }): Promise<JournalEvent> {
    if (this.closed) throw new Error('the journal is closed')
    const bytes = sizeOf(e)
    if (bytes > this.maxBytes) throw new RangeError(`an event of ${bytes} bytes cannot fit a journal of ${this.maxBytes}`)
    const event: JournalEvent = { id: this.nextId++, at: this.now(), topic: e.topic, payload: e.payload, alarm: e.alarm === true }
    this.makeRoom(bytes, event.alarm)
    const w: Waiting = { event, segment: this.active, bytes, kept: false }
    this.waiting.push(w)
    this.waitingBytes += bytes
    try {
      await this.write({ k: 'e', ...event }, w)
    } catch (err) {
      // Refused to the device, which may send it again: it must not also go out from here.
      this.remove(event.id)
      throw err
    }
    w.kept = true
    return event
  }

  push (entry: { topic: string; payload: string; alarm?: boolean }): Promise<JournalEvent> {
    return this.append(entry)
  }

  /** The oldest event not yet in flight, now in flight; undefined when all are. */
  takeNext (): JournalEvent | undefined {
    const w = this.waiting[this.cursor]
    // In order: nothing leaves before the oldest not yet in flight is on disk.
    if (w === undefined || !w.kept) return undefined
    this.cursor++
    return w.event
  }

  /** The platform acknowledged it (PUBACK): it is deleted. Unknown ones (dropped meanwhile) are ignored. */
  acknowledge (event: { topic: string; payload: string }): boolean {
    if (!('id' in event) || typeof event.id !== 'number' || !this.remove(event.id)) return false
    // Not waited for: a lost acknowledgement only sends the event again, and the platform keeps it once.
    this.write({ k: 'a', id: event.id as number }).catch(() => {})
    return true
  }

  /** The uplink is gone: everything in flight is to be sent again, from the oldest. */
  requeue (): void {
    this.cursor = 0
  }

  /** Throws every waiting event away (counted); returns how many. */
  discard (): number {
    const all = [...this.waiting]
    for (const w of all) this.drop(w, 'discarded')
    return all.length
  }

  /** Drops what waited past its age bound; returns how many. Call it now and then (every minute, say). */
  sweep (): number {
    const now = this.now()
    const old = this.waiting.filter((w) => now - w.event.at > (w.event.alarm ? this.alarmMaxAgeMs : this.maxAgeMs))
    for (const w of old) this.drop(w, 'age')
    return old.length
  }

  /** Waits for pending writes, then closes the file. */
  async close (): Promise<void> {
    if (this.closed) return
    await this.flushing
    this.closed = true
    await this.handle?.close()
    this.handle = undefined
  }

  private makeRoom (bytes: number, alarm: boolean): void {
    while (this.waitingBytes + bytes > this.maxBytes) {
      const ordinary = this.waiting.find((w) => !w.event.alarm)
      // An ordinary event never pushes an alarm out: it is itself the one that goes (counted) when only alarms wait.
      const victim = ordinary ?? (alarm ? this.waiting[0] : undefined)
      if (victim === undefined) {
        this.drops.bytes++
        throw new JournalFullError(bytes)
      }
      this.drop(victim, 'bytes')
    }
  }

  private drop (w: Waiting, why: 'bytes' | 'age' | 'discarded'): void {
    if (!this.remove(w.event.id)) return
    if (w.event.alarm && why !== 'discarded') this.drops.alarms++
    else this.drops[why]++
    this.write({ k: 'd', id: w.event.id }).catch(() => {})
  }

  private remove (id: number): boolean {
    const i = this.waiting.findIndex((w) => w.event.id === id)
    if (i < 0) return false
    const [w] = this.waiting.splice(i, 1)
    if (i < this.cursor) this.cursor--
    this.waitingBytes -= w!.bytes
    const seg = this.segments.get(w!.segment)
    if (seg !== undefined) seg.live -= w!.bytes
    return true
  }

  // Group commit: what is queued while a write is on disk goes in the next one, with one sync for all.
  private write (rec: Rec, counted?: Waiting): Promise<void> {
    const buf = frame(rec)
    const seg = this.segments.get(this.active)!
    seg.size += buf.length
    if (counted !== undefined) seg.live += counted.bytes
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ buf, done: (err) => err === undefined ? resolve() : reject(err) })
      this.flushing ??= this.flush()
    })
  }

  private async flush (): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue
        this.queue = []
        const seg = this.segments.get(this.active)!
        const buf = Buffer.concat(batch.map((w) => w.buf))
        try {
          await appendAll(this.handle!, buf)
          await this.handle!.datasync()
          seg.durable += buf.length
          for (const w of batch) w.done()
        } catch (err) {
          for (const w of batch) w.done(err)
          // A failed write may have left part of a frame: cut it off, and go on in a new segment all the same, so
          // nothing kept later sits behind a damaged frame that would stop the reading of the file after a crash.
          await this.handle!.truncate(seg.durable).catch(() => {})
          seg.size = seg.durable
          await this.begin(this.active + 1).catch(() => {})
        }
        if (this.segments.get(this.active)!.size >= this.segmentBytes) await this.rotate()
      }
    } finally {
      this.flushing = undefined
    }
  }

  /** A new active segment, then the oldest compacted while little of it still waits. */
  private async rotate (): Promise<void> {
    await this.begin(this.active + 1)
    for (;;) {
      const oldest = Math.min(...this.segments.keys())
      if (oldest === this.active) break
      const seg = this.segments.get(oldest)!
      if (seg.live * 2 > seg.size) break
      const moving = this.waiting.filter((w) => w.segment === oldest)
      const buf = Buffer.concat(moving.map((w) => frame({ k: 'e', ...w.event } satisfies Rec)))
      if (buf.length > 0) {
        await appendAll(this.handle!, buf)
        await this.handle!.datasync()
      }
      const active = this.segments.get(this.active)!
      active.size += buf.length
      active.durable += buf.length
      for (const w of moving) {
        w.segment = this.active
        active.live += w.bytes
      }
      await rm(join(this.o.dir, segmentName(oldest)), { force: true })
      this.segments.delete(oldest)
      syncDir(this.o.dir)
    }
  }

  // What is appended meanwhile counts in the new segment, and is written there after the header (the flush
  // that writes it is the one waiting here).
  private async begin (n: number): Promise<void> {
    const previous = this.handle
    this.active = n
    const seg = { size: 0, live: 0, durable: 0 }
    this.segments.set(n, seg)
    await previous?.close()
    this.handle = await open(join(this.o.dir, segmentName(n)), 'a', 0o600)
    const head = frame({ k: 'h', next: this.nextId } satisfies Rec)
    await appendAll(this.handle, head)
    await this.handle.datasync()
    syncDir(this.o.dir)
    seg.size += head.length
    seg.durable += head.length
  }

  private async recover (): Promise<void> {
    mkdirSync(this.o.dir, { recursive: true, mode: 0o700 })
    const numbers = readdirSync(this.o.dir).map((f) => SEGMENT.exec(f)).filter((m) => m !== null).map((m) => Number(m[1])).sort((a, b) => a - b)
    const events = new Map<number, Waiting>()
    const resolved = new Set<number>()
    for (const [i, n] of numbers.entries()) {
      const file = join(this.o.dir, segmentName(n))
      const buf = readFileSync(file)
      const read = readFrames(buf)
      if (read.stoppedBecause !== undefined) {
        if (i === numbers.length - 1 && read.stoppedBecause === 'torn') {
          this.recovery.tornBytes += buf.length - read.goodBytes
          truncateSync(file, read.goodBytes)
        } else {
          this.recovery.damagedSegments++
        }
      }
      this.segments.set(n, { size: read.goodBytes, live: 0, durable: read.goodBytes })
      for (const r of read.records as Rec[]) {
        if (r.k === 'h') this.nextId = Math.max(this.nextId, r.next)
        else if (r.k === 'e') {
          this.nextId = Math.max(this.nextId, r.id + 1)
          const event: JournalEvent = { id: r.id, at: r.at, topic: r.topic, payload: r.payload, alarm: r.alarm }
          // A copy made by compaction: the event now lives in the later segment.
          events.set(r.id, { event, segment: n, bytes: sizeOf(r), kept: true })
        } else {
          this.nextId = Math.max(this.nextId, r.id + 1)
          resolved.add(r.id)
        }
      }
    }
    for (const w of [...events.values()].sort((a, b) => a.event.id - b.event.id)) {
      if (resolved.has(w.event.id)) continue
      this.waiting.push(w)
      this.waitingBytes += w.bytes
      this.segments.get(w.segment)!.live += w.bytes
    }
    this.recovery = { ...this.recovery, segments: numbers.length, waiting: this.waiting.length }
    // Appends go to a new segment: a damaged last one stays as it was read.
    await this.begin((numbers.at(-1) ?? 0) + 1)
  }
}

/** Only alarms wait and the event is ordinary: it is refused and counted as dropped; the device may send it again. */
export class JournalFullError extends Error {
  constructor (readonly bytes: number) {
    super(`the journal is full of alarms: an ordinary event of ${bytes} bytes does not fit`)
    this.name = 'JournalFullError'
  }
}
