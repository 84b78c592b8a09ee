// The disk operations the gateway's durability rests on.

import { closeSync, fsyncSync, openSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { FileHandle } from 'node:fs/promises'

/** Makes a directory's entries (segments made or deleted) survive a power cut. */
export function syncDir (dir: string): void {
  const fd = openSync(dir, 'r')
  try { fsyncSync(fd) } finally { closeSync(fd) }
}

/** Writes the whole buffer at the end of the file; a short write is continued, a write that makes no progress fails. */
export async function appendAll (handle: FileHandle, buf: Buffer): Promise<void> {
  for (let at = 0; at < buf.length;) {
    const { bytesWritten } = await handle.write(buf, at, buf.length - at)
    if (bytesWritten <= 0) throw Object.assign(new Error(`the journal write stopped after ${at} of ${buf.length} bytes`), { code: 'EIO' })
    at += bytesWritten
  }
}

/** Replaces a small file whole: written beside it, synced, renamed over it, the directory synced. */
export function writeSynced (file: string, text: string): void {
  const tmp = `${file}.tmp`
  writeFileSync(tmp, text, { mode: 0o600 })
  const fd = openSync(tmp, 'r+')
  try { fsyncSync(fd) } finally { closeSync(fd) }
  renameSync(tmp, file)
  syncDir(dirname(file))
}
