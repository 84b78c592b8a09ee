// A PostgreSQL server of its own for a test that needs one to come up (or go
// away) while the platform runs: initdb into a temporary directory, started
// and stopped with pg_ctl on a free port. PostgreSQL refuses to run as root,
// so under root (the CI machine) it runs as the `postgres` user.

import { execFileSync, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface ThrowawayPostgres {
  port: number
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust authentication). */
  url: string
  start (): void
  stop (): void
  /** Stops it if running and deletes its files. */
  remove (): void
}

const asRoot = process.getuid?.() === 0

/**
 * Where initdb and pg_ctl are: Debian keeps them in /usr/lib/postgresql/<major>/bin, off the PATH (the newest
 * major installed); elsewhere they are on the PATH.
 */
function serverBinary (name: 'initdb' | 'pg_ctl'): string {
  const root = '/usr/lib/postgresql'
  const majors = existsSync(root) ? readdirSync(root).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a)) : []
  for (const major of majors) {
    const path = join(root, major, 'bin', name)
    if (existsSync(path)) return path
  }
  return name
}

/** Whether initdb and pg_ctl can be run here (and, under root, as the postgres user). */
// Under CI the tests always run: a machine without initdb fails them instead of skipping them.
export const throwawayPostgresWorks: boolean = process.env.CI === 'true' || (() => {
  const initdb = serverBinary('initdb')
  const probe = spawnSync(asRoot ? 'runuser' : initdb, asRoot ? ['-u', 'postgres', '--', initdb, '--version'] : ['--version'], { stdio: 'pipe' })
  return probe.status === 0
})()

function run (name: 'initdb' | 'pg_ctl', args: string[]): void {
  const command = serverBinary(name)
  if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { stdio: 'pipe' })
  else execFileSync(command, args, { stdio: 'pipe' })
}

/** Creates the cluster (not started). */
export function createThrowawayPostgres (port: number): ThrowawayPostgres {
  const dir = mkdtempSync(join(tmpdir(), 'rh-pg-'))
  if (asRoot) {
    const ids = execFileSync('id', ['-u', 'postgres']).toString().trim()
    const gid = execFileSync('id', ['-g', 'postgres']).toString().trim()
    chownSync(dir, Number(ids), Number(gid))
  }
  const data = join(dir, 'data')
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'])
  let running = false
  const pg: ThrowawayPostgres = {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start () {
      run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off`, 'start'])
      running = true
    },
    stop () {
      if (!running) return
      run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop'])
      running = false
    },
    remove () {
      try { pg.stop() } finally { rmSync(dir, { recursive: true, force: true }) }
    },
  }
  return pg
}
