// DATA_DIR holds ID-number ciphertexts, movement records (the event journal)
// and the key that protects them: nobody but the platform's own user may
// read it. The directory is created 0700 and refused at start when group or
// others have any access to it (unless the operator says so); what the
// platform keeps in it is tightened to 0700 / 0600 at every start, since the
// embedded database unpacks its initial files world-readable and an older
// version created files 0644.

import { chmodSync, lstatSync, mkdirSync, readdirSync, readlinkSync, statSync, type Stats } from 'node:fs'
import { join } from 'node:path'
import { ConfigError } from '../config.ts'

const GROUP_OTHER = 0o077

/**
 * Creates `dir` (0700) if needed; refuses one that group or others can enter,
 * read or write, unless `shared`. A `dir` that is a symbolic link is judged by
 * the directory it points to (a link's own mode means nothing).
 */
export function preparePrivateDir (dir: string, shared: boolean): void {
  try {
    judgePrivateDir(dir, shared)
  } catch (err) {
    const why = FILE_SYSTEM_REFUSALS[(err as NodeJS.ErrnoException).code ?? '']
    if (why === undefined) throw err
    throw new ConfigError([`DATA_DIR ${dir} cannot be used: ${why} (${(err as NodeJS.ErrnoException).code}); point DATA_DIR at a directory this user owns`])
  }
}

/** What the file system answers for a path the platform cannot use, in words. */
const FILE_SYSTEM_REFUSALS: Record<string, string> = {
  ENOTDIR: 'a part of the path is a file, not a directory',
  EACCES: 'this user may not reach or create it',
  EPERM: 'this user may not reach or create it',
  ELOOP: 'its symbolic links go round in a loop',
  EROFS: 'it is on a read-only file system',
  ENAMETOOLONG: 'the path is too long',
}

function judgePrivateDir (dir: string, shared: boolean): void {
  if (statOrMissing(dir, statSync) === undefined) {
    if (statOrMissing(dir, lstatSync)?.isSymbolicLink() === true) {
      throw new ConfigError([`DATA_DIR ${dir} is a symbolic link to ${readlinkSync(dir)}, which does not exist; create it (mkdir -m 700) or point DATA_DIR elsewhere`])
    }
    mkdirSync(dir, { recursive: true, mode: 0o700 })
  }
  const st = statSync(dir)
  if (!st.isDirectory()) throw new ConfigError([`DATA_DIR ${dir} is not a directory`])
  const mode = st.mode & 0o777
  if ((mode & GROUP_OTHER) !== 0 && !shared) {
    throw new ConfigError([
      `DATA_DIR ${dir} is open to other users (mode ${mode.toString(8).padStart(4, '0')}); it holds personal data and its key. ` +
      `Run: chmod 700 ${dir}   (or set DATA_DIR_SHARED=on if other accounts must reach it, e.g. a mounted volume)`,
    ])
  }
}

/**
 * Removes every group and other permission below `path` (and on it):
 * directories end up 0700 at most, files 0600 at most. A `path` that is a
 * symbolic link (DATA_DIR or one of its entries moved to another volume) is
 * followed; links found below it are neither followed nor changed. A missing
 * path (or a link to nothing) is nothing to do.
 */
export function tightenTree (path: string): void {
  const st = statOrMissing(path, statSync)
  if (st !== undefined) tighten(path, st)
}

function tighten (path: string, st: Stats): void {
  if (st.isSymbolicLink()) return
  if ((st.mode & GROUP_OTHER) !== 0) chmodSync(path, st.mode & 0o7700 & ~GROUP_OTHER)
  if (!st.isDirectory()) return
  for (const name of readdirSync(path)) {
    const below = join(path, name)
    const entry = statOrMissing(below, lstatSync)
    if (entry !== undefined) tighten(below, entry)
  }
}

function statOrMissing (path: string, stat: (p: string) => Stats): Stats | undefined {
  try {
    return stat(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}
