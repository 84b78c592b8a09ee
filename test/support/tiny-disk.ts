// A real file system that fills up: a tmpfs of a few KiB mounted for one test,
// so that a full disk is the kernel's ENOSPC, not a simulation. Mounting needs
// root (the CI machine runs the tests as root); elsewhere, outside CI,
// `tinyDisksWork` is false and the tests that need one are skipped (their comments say why).

import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TinyDisk {
  dir: string
  /** Unmounts it and removes the mount point. */
  remove (): void
}

/** Mounts a tmpfs of `bytes` (rounded up to whole pages by the kernel). Throws when mounting is not allowed. */
export function mountTinyDisk (bytes: number): TinyDisk {
  const dir = mkdtempSync(join(tmpdir(), 'rh-tiny-disk-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0700`, 'tmpfs', dir], { stdio: 'pipe' })
  } catch (err) {
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
  return {
    dir,
    remove () {
      // Lazy: a file a failed test left open must not keep the mount (or hide that test's own error).
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' })
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * Whether the tests that need one run: on a machine that lets them mount one (tried once, at load), and always
 * under CI, where a machine that cannot fails those tests instead of skipping them.
 */
export const tinyDisksWork: boolean = process.env.CI === 'true' || (() => {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false
  try {
    mountTinyDisk(4096).remove()
    return true
  } catch {
    return false
  }
})()
