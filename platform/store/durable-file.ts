// Small files that must survive a power cut: written, synced, and their
// directory entry synced too (a new file's name is in its directory).

import { closeSync, fsyncSync, openSync, writeFileSync } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'

/** Makes the names in a directory (files created, renamed, deleted) durable. */
export function syncDirectory (dir: string): void {
  const fd = openSync(dir, 'r')
  try { fsyncSync(fd) } finally { closeSync(fd) }
}

/**
 * Writes all of `buf` at the end of a file opened for appending. One write(2) may write less than asked (the
 * disk filled up part-way, a signal): the rest is written by the next call, which then fails with the system's
 * own error (ENOSPC, EIO, EDQUOT) instead of a byte count that names no cause.
 */
export async function appendFully (handle: FileHandle, buf: Buffer): Promise<void> {
  let done = 0
  while (done < buf.length) {
    const { bytesWritten } = await handle.write(buf, done, buf.length - done)
    if (bytesWritten <= 0) throw Object.assign(new Error(`write made no progress after ${done} of ${buf.length} bytes`), { code: 'EIO' })
    done += bytesWritten
  }
}

/** Writes a small file and makes it and its name durable. */
export function writeDurably (file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 })
  const fd = openSync(file, 'r+')
  try { fsyncSync(fd) } finally { closeSync(fd) }
  syncDirectory(dirname(file))
}
