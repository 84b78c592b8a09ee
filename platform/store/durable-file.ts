// Small files that must survive a power cut: written, synced, and their
// directory entry synced too (a new file's name is in its directory).

import { closeSync, fsyncSync, openSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

/** Makes the names in a directory (files created, renamed, deleted) durable. */
export function syncDirectory (dir: string): void {
  const fd = openSync(dir, 'r')
  try { fsyncSync(fd) } finally { closeSync(fd) }
}

/** Writes a small file and makes it and its name durable. */
export function writeDurably (file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 })
  const fd = openSync(file, 'r+')
  try { fsyncSync(fd) } finally { closeSync(fd) }
  syncDirectory(dirname(file))
}
