// The Frigate entries (object id + zone, object id + line) the gateway has
// already turned into events, kept on disk so that after a restart a
// replayed or repeated Frigate message makes no second event. An append-only
// file of one line per key, synced after each; opened, it is read back
// (a torn last line is ignored), entries older than `keepMs` are forgotten,
// and it is rewritten compacted. Bounded: at most `maxKeys` are held, the
// oldest forgotten first.

import { closeSync, existsSync, fdatasyncSync, openSync, readFileSync, writeSync } from 'node:fs'
import { writeSynced } from '../journal/disk.ts'

export interface SeenOptions {
  file: string
  /** How long a key is remembered; default 2 days (a Frigate track lasts minutes). */
  keepMs?: number
  /** Keys held at most; default 100,000. */
  maxKeys?: number
  now?: () => number
}

export class SeenEntries {
  /** key → when it was remembered; Map order is insertion order, the oldest first. */
  private readonly keys = new Map<string, number>()
  /** Taken but not yet on disk (the event is being kept): a second message meanwhile is a duplicate too. */
  private readonly taking = new Set<string>()
  private fd: number
  private appended = 0
  private readonly keepMs: number
  private readonly maxKeys: number
  private readonly now: () => number

  constructor (private readonly o: SeenOptions) {
    this.keepMs = o.keepMs ?? 2 * 86_400_000
    this.maxKeys = o.maxKeys ?? 100_000
    this.now = o.now ?? Date.now
    if (existsSync(o.file)) {
      for (const line of readFileSync(o.file, 'utf8').split('\n')) {
        const tab = line.lastIndexOf('\t')
        const at = Number(line.slice(tab + 1))
        if (tab > 0 && Number.isSafeInteger(at)) this.keys.set(line.slice(0, tab), at)
      }
    }
    this.forgetOld()
    this.fd = this.compact()
  }

  get size (): number {
    return this.keys.size
  }

  has (key: string): boolean {
    return this.keys.has(key) || this.taking.has(key)
  }

  /** Claims a key not seen before (false if it was); `remember` or `release` it once the event is kept or not. */
  take (key: string): boolean {
    if (this.has(key)) return false
    this.taking.add(key)
    return true
  }

  release (key: string): void {
    this.taking.delete(key)
  }

  /** On disk (synced) before this returns. */
  remember (keys: string[]): void {
    const at = this.now()
    let text = ''
    for (const k of keys) {
      this.taking.delete(k)
      this.keys.delete(k)
      this.keys.set(k, at)
      text += `${k}\t${at}\n`
    }
    if (text === '') return
    writeSync(this.fd, text)
    fdatasyncSync(this.fd)
    this.appended += keys.length
    if (this.keys.size > this.maxKeys || this.appended > this.maxKeys) {
      this.forgetOld()
      closeSync(this.fd)
      this.fd = this.compact()
    }
  }

  close (): void {
    closeSync(this.fd)
  }

  private forgetOld (): void {
    const cutoff = this.now() - this.keepMs
    for (const [k, at] of this.keys) {
      if (at >= cutoff && this.keys.size <= this.maxKeys) break
      this.keys.delete(k)
    }
  }

  /** Rewrites the file with what is held; returns it open for appending. */
  private compact (): number {
    writeSynced(this.o.file, [...this.keys].map(([k, at]) => `${k}\t${at}\n`).join(''))
    this.appended = 0
    return openSync(this.o.file, 'a')
  }
}
