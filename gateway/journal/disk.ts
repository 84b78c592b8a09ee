// The two disk operations the journal's durability rests on.

import { closeSync, fsyncSync, openSync } from 'node:fs'
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
