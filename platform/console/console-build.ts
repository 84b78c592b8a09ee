// The consoles (dashboards/) are a Vite app the platform serves as files.
// `npm start` builds them when the build is missing or older than its
// sources: the build records a hash of everything it was made from, so an
// edit, a checkout or an upgrade of the contract is noticed without relying
// on file times. The build goes to a folder of its own and replaces the old
// one in one rename, so a platform serving the old files never sees half a
// build.

import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const DASHBOARDS = join(ROOT, 'dashboards')
export const CONSOLE_DIST = join(DASHBOARDS, 'dist')
/** Inside the build; the static server ignores dot files. */
const STAMP = '.source-hash'

/** What the build is made of: the app, the contract it is typed by, the protocol words the contract shares, the bundler's version. */
const SOURCES = [join(DASHBOARDS, 'src'), join(DASHBOARDS, 'index.html'), join(DASHBOARDS, 'vite.config.ts'), join(ROOT, 'contract'), join(ROOT, 'protocol')]

export type ConsoleBuildState = 'fresh' | 'stale' | 'missing'

async function filesUnder (path: string): Promise<string[]> {
  if (!existsSync(path)) return []
  const entries = await readdir(path, { withFileTypes: true }).catch(() => null)
  if (entries === null) return [path]
  const out: string[] = []
  for (const e of entries) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue
    const full = join(path, e.name)
    if (e.isDirectory()) out.push(...await filesUnder(full))
    else if (!e.name.endsWith('.test.ts') && !e.name.endsWith('.md')) out.push(full)
  }
  return out
}

export async function sourceHash (): Promise<string> {
  const hash = createHash('sha256')
  const files = (await Promise.all(SOURCES.map(filesUnder))).flat().sort()
  for (const f of files) {
    hash.update(relative(ROOT, f)).update('\0').update(await readFile(f)).update('\0')
  }
  const vite = JSON.parse(await readFile(join(ROOT, 'node_modules/vite/package.json'), 'utf8')) as { version: string }
  hash.update(`vite ${vite.version}`)
  return hash.digest('hex')
}

export async function consoleBuildState (dist = CONSOLE_DIST): Promise<ConsoleBuildState> {
  if (!existsSync(join(dist, 'index.html'))) return 'missing'
  const built = await readFile(join(dist, STAMP), 'utf8').catch(() => '')
  return built.trim() === await sourceHash() ? 'fresh' : 'stale'
}

/** Builds the consoles into `dist` (replacing what is there). */
export async function buildConsole (dist = CONSOLE_DIST): Promise<void> {
  const hash = await sourceHash()
  const tmp = `${dist}.building-${process.pid}-${Date.now()}`
  const { build } = await import('vite')
  try {
    await build({ configFile: join(DASHBOARDS, 'vite.config.ts'), logLevel: 'warn', build: { outDir: tmp, emptyOutDir: true } })
    await writeFile(join(tmp, STAMP), hash + '\n')
    const old = `${dist}.old-${process.pid}-${Date.now()}`
    if (existsSync(dist)) await rename(dist, old)
    await rename(tmp, dist)
    await rm(old, { recursive: true, force: true })
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
}

/** Builds when needed; returns what it found. */
export async function ensureConsoleBuilt (dist = CONSOLE_DIST, log: (message: string) => void = () => {}): Promise<ConsoleBuildState> {
  const state = await consoleBuildState(dist)
  if (state === 'fresh') return state
  log(state === 'missing' ? 'building the consoles (first start; takes a few seconds)' : 'the consoles\' sources changed: rebuilding them')
  await buildConsole(dist)
  return state
}
