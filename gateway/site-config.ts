// The site config of a gateway (`npm run gateway -- --config site.yaml`),
// read and checked at start: every mistake is reported at once, with where it
// is in the file and what to write instead, and the gateway does not start.

import { readFileSync, statSync } from 'node:fs'
import { dirname, isAbsolute, resolve } from 'node:path'
import Type, { type Static } from 'typebox'
import { Compile } from 'typebox/compile'
import { parse } from 'yaml'
import { isKnownTimeZone, parseAllowlistKey } from '../protocol/index.ts'
import type { ReaderModel } from './legacy/reader-model.ts'
import { FRIGATE_HINTS, FrigateSectionSchema, resolveFrigate, type FrigateConfig } from './frigate/frigate-config.ts'

const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' })
const Size = Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: '^\\d+(\\.\\d+)?\\s*(B|KiB|MiB|GiB)$' })])
const Duration = Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: '^\\d+\\s*(s|min|h|d)$' })])

const ConfigSchema = Type.Object({
  platform: Type.Object({
    /** The platform's MQTT address, as provisioning gave it (`mqtt://` or `mqtts://`). */
    mqtt: Type.String({ pattern: '^mqtts?://[^\\s/]+(:\\d+)?/?$' }),
  }, { additionalProperties: false }),
  site: Type.Object({
    timeZone: Type.String({ minLength: 1, maxLength: 64 }),
    /** Journals and sequence numbers; relative paths are from the config file's folder. */
    dataDir: Type.String({ minLength: 1, maxLength: 500 }),
  }, { additionalProperties: false }),
  journal: Type.Optional(Type.Object({
    maxBytes: Type.Optional(Size),
    maxAge: Type.Optional(Duration),
    alarmMaxAge: Type.Optional(Duration),
  }, { additionalProperties: false })),
  listeners: Type.Array(Type.Object({
    model: Id,
    port: Type.Integer({ minimum: 0, maximum: 65535 }),
    host: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  }, { additionalProperties: false }), { maxItems: 32 }),
  readers: Type.Array(Type.Object({
    serial: Type.String({ minLength: 1, maxLength: 64 }),
    model: Id,
    /** The provisioning reply's `mqtt` object saved as JSON (clientId, password, allowlistKey...). */
    credentialsFile: Type.String({ minLength: 1, maxLength: 500 }),
    building: Id,
    doors: Type.Record(Type.String({ minLength: 1, maxLength: 32 }), Id),
    facing: Type.Optional(Type.Record(Id, Type.Union([Type.Literal('in'), Type.Literal('out')]))),
    cardsRegisteredAs: Type.Union([Type.Literal('hex'), Type.Literal('decimal')]),
  }, { additionalProperties: false }), { maxItems: 1000 }),
  /** A site that already runs Frigate: its broker and cameras (gateway/frigate/frigate-config.ts). */
  frigate: Type.Optional(FrigateSectionSchema),
}, { additionalProperties: false })

type RawConfig = Static<typeof ConfigSchema>

export interface ReaderConfig {
  serial: string
  model: ReaderModel
  device: { id: string; buildingId: string; password: string; allowlistKey: string }
  doors: Record<string, string>
  facing?: Record<string, 'in' | 'out'>
  cardsRegisteredAs: 'hex' | 'decimal'
}

export interface SiteConfig {
  mqttUrl: string
  timeZone: string
  dataDir: string
  journal: { maxBytes?: number; maxAgeMs?: number; alarmMaxAgeMs?: number }
  listeners: Array<{ model: ReaderModel; port: number; host: string }>
  readers: ReaderConfig[]
  frigate?: FrigateConfig
}

/** Every problem found in a config, each with its place. */
export class SiteConfigError extends Error {
  constructor (readonly file: string, readonly problems: string[]) {
    super(`${file} cannot be used:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'SiteConfigError'
  }
}

const check = Compile(ConfigSchema)

/** What to write, for the fields whose schema message (a pattern) says nothing to a person. */
const HINTS: Array<[RegExp, string]> = [
  [/^\/platform\/mqtt$/, 'write mqtt://host:port or mqtts://host:port, as the device provisioning gave it'],
  [/^\/journal\/maxBytes$/, 'write a size such as 256MiB or 2GiB'],
  [/^\/journal\/(maxAge|alarmMaxAge)$/, 'write a duration such as 90min, 7d or 30d'],
  [/\/(model|building)$/, 'letters, digits, dot, dash and underscore'],
  ...FRIGATE_HINTS,
]
const hinted = (path: string, message: string): string => {
  const hint = HINTS.find(([re]) => re.test(path))?.[1]
  return `${path === '' ? 'the file' : path}: ${hint !== undefined && message.includes('pattern') ? hint : message}`
}

export function loadSiteConfig (file: string, models: ReadonlyMap<string, ReaderModel>): SiteConfig {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new SiteConfigError(file, [`cannot be read: ${(err as Error).message}`])
  }
  let data: unknown
  try {
    data = parse(text)
  } catch (err) {
    throw new SiteConfigError(file, [`is not YAML: ${(err as Error).message.split('\n')[0]}`])
  }
  if (!check.Check(data)) {
    throw new SiteConfigError(file, [...check.Errors(data)].slice(0, 10).map((e) => hinted(e.instancePath, e.message)))
  }
  return resolveConfig(file, data as RawConfig, models)
}

function resolveConfig (file: string, raw: RawConfig, models: ReadonlyMap<string, ReaderModel>): SiteConfig {
  const problems: string[] = []
  const here = dirname(resolve(file))
  const path = (p: string): string => isAbsolute(p) ? p : resolve(here, p)
  if (!isKnownTimeZone(raw.site.timeZone)) problems.push(`/site/timeZone: "${raw.site.timeZone}" is not a time zone (write one like Asia/Shanghai)`)
  const modelNamed = (name: string, where: string): ReaderModel | undefined => {
    const m = models.get(name)
    if (m === undefined) problems.push(`${where}: no reader model "${name}" (there are: ${[...models.keys()].join(', ')})`)
    return m
  }
  const listeners: SiteConfig['listeners'] = []
  const listened = new Set<string>()
  for (const [i, l] of raw.listeners.entries()) {
    const m = modelNamed(l.model, `/listeners/${i}/model`)
    if (m === undefined) continue
    if (listened.has(m.name)) problems.push(`/listeners/${i}: model ${m.name} has a listener already`)
    listened.add(m.name)
    listeners.push({ model: m, port: l.port, host: l.host ?? '0.0.0.0' })
  }
  const readers: ReaderConfig[] = []
  const serials = new Set<string>()
  const devices = new Set<string>()
  for (const [i, r] of raw.readers.entries()) {
    const at = `/readers/${i}`
    const m = modelNamed(r.model, `${at}/model`)
    if (m !== undefined && !listened.has(m.name)) problems.push(`${at}/model: no listener serves ${m.name}; add one under listeners`)
    const key = `${r.model}/${r.serial}`
    if (serials.has(key)) problems.push(`${at}/serial: ${r.serial} is configured twice for ${r.model}`)
    serials.add(key)
    if (m?.fields.direction === undefined) {
      for (const door of Object.values(r.doors)) {
        if (r.facing?.[door] === undefined) problems.push(`${at}/facing: ${m?.name ?? 'this model'} does not say which way a reader faces; give facing.${door}: in or out`)
      }
    }
    const creds = readCredentials(path(r.credentialsFile), `${at}/credentialsFile`, problems)
    if (creds === undefined || m === undefined) continue
    if (devices.has(creds.clientId)) problems.push(`${at}/credentialsFile: device ${creds.clientId} is used by another reader too (one session per device)`)
    devices.add(creds.clientId)
    readers.push({
      serial: r.serial, model: m,
      device: { id: creds.clientId, buildingId: r.building, password: creds.password, allowlistKey: creds.allowlistKey },
      doors: r.doors, ...(r.facing === undefined ? {} : { facing: r.facing }), cardsRegisteredAs: r.cardsRegisteredAs,
    })
  }
  // Frigate (gateway/frigate): its cameras are camera devices, so their credentials carry no allow-list key.
  const frigate = raw.frigate === undefined
    ? undefined
    : resolveFrigate(raw.frigate, path, (f, where) => readCredentials(f, where, problems, { allowlistKey: false }), problems)
  if (raw.readers.length === 0 && raw.frigate === undefined) problems.push('/readers: configure at least one reader (or a frigate section)')
  if (problems.length > 0) throw new SiteConfigError(file, problems)
  const j = raw.journal ?? {}
  return {
    mqttUrl: raw.platform.mqtt,
    timeZone: raw.site.timeZone,
    dataDir: path(raw.site.dataDir),
    journal: {
      ...(j.maxBytes === undefined ? {} : { maxBytes: bytes(j.maxBytes) }),
      ...(j.maxAge === undefined ? {} : { maxAgeMs: ms(j.maxAge) }),
      ...(j.alarmMaxAge === undefined ? {} : { alarmMaxAgeMs: ms(j.alarmMaxAge) }),
    },
    listeners,
    readers,
    ...(frigate === undefined ? {} : { frigate }),
  }
}

/** `allowlistKey: false` for a camera: its provisioning reply has none. */
function readCredentials (file: string, where: string, problems: string[], o = { allowlistKey: true }): { clientId: string; password: string; allowlistKey: string } | undefined {
  let data: unknown
  try {
    if ((statSync(file).mode & 0o077) !== 0) problems.push(`${where}: ${file} can be read by other users; chmod 600 it (it holds the device's secret)`)
    data = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    problems.push(`${where}: ${file} cannot be read as JSON: ${(err as Error).message}`)
    return undefined
  }
  const d = data as Record<string, unknown>
  if (typeof d.clientId === 'string' && typeof d.password === 'string' && !o.allowlistKey) return { clientId: d.clientId, password: d.password, allowlistKey: '' }
  if (typeof d.clientId !== 'string' || typeof d.password !== 'string' || typeof d.allowlistKey !== 'string') {
    problems.push(`${where}: ${file} is not a provisioning reply's mqtt object (it needs clientId, password and allowlistKey)`)
    return undefined
  }
  try {
    parseAllowlistKey(d.allowlistKey)
  } catch {
    problems.push(`${where}: the allowlistKey in ${file} is not 64 hexadecimal digits`)
    return undefined
  }
  return { clientId: d.clientId, password: d.password, allowlistKey: d.allowlistKey }
}

const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 }

function bytes (v: number | string): number {
  if (typeof v === 'number') return v
  const m = /^(\d+(?:\.\d+)?)\s*(\w+)$/.exec(v)!
  return Math.round(Number(m[1]) * UNITS[m[2]!]!)
}

function ms (v: number | string): number {
  if (typeof v === 'number') return v * 1000
  const m = /^(\d+)\s*(\w+)$/.exec(v)!
  return Number(m[1]) * UNITS[m[2]!]!
}
