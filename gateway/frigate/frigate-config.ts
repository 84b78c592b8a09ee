// The `frigate:` section of the site config: where the site's Frigate broker
// is, and which Frigate camera is which camera device of the platform, with
// its zones and doors. Checked with the rest of the file (site-config.ts);
// every mistake is reported with its place.

import { readFileSync, statSync } from 'node:fs'
import Type, { type Static } from 'typebox'
import type { FrigateCameraMap } from './frigate-mapping.ts'

const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' })
/** Frigate camera and zone names (Frigate allows letters, digits, `_` and `-`). */
const FrigateName = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' })

export const FrigateSectionSchema = Type.Object({
  /** The site's Frigate broker (Frigate's `mqtt.host` and `port`). */
  mqtt: Type.String({ pattern: '^mqtts?://[^\\s/]+(:\\d+)?/?$' }),
  /** Frigate's `mqtt.topic_prefix`; default `frigate`. */
  topicPrefix: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' })),
  username: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  /** A file holding the broker password (one line), chmod 600. */
  passwordFile: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  /** Frigate's HTTP API (http://frigate.lan:5000): the events' snapshot references point there. */
  http: Type.Optional(Type.String({ pattern: '^https?://[^\\s/?#]+(:\\d+)?/?$', maxLength: 200 })),
  cameras: Type.Array(Type.Object({
    frigate: FrigateName,
    /** The provisioning reply's `mqtt` object of the camera device, saved as JSON, chmod 600. */
    credentialsFile: Type.String({ minLength: 1, maxLength: 500 }),
    building: Id,
    zones: Type.Record(FrigateName, Type.Object({ door: Type.Optional(Id) }, { additionalProperties: false })),
    line: Type.Optional(Type.Object({ door: Id, outside: FrigateName, inside: FrigateName }, { additionalProperties: false })),
  }, { additionalProperties: false }), { minItems: 1, maxItems: 200 }),
}, { additionalProperties: false })

export type FrigateSection = Static<typeof FrigateSectionSchema>

/** What the schema's pattern messages mean, for a person. */
export const FRIGATE_HINTS: Array<[RegExp, string]> = [
  [/^\/frigate\/mqtt$/, 'write mqtt://host:port or mqtts://host:port, the broker Frigate publishes to'],
  [/^\/frigate\/http$/, 'write Frigate\'s address such as http://frigate.lan:5000'],
  [/^\/frigate\/topicPrefix$/, 'Frigate\'s mqtt.topic_prefix: letters, digits, dash and underscore'],
  [/^\/frigate\/cameras\/\d+\/(frigate|zones|line)/, 'a Frigate camera or zone name: letters, digits, dash and underscore'],
]

export interface FrigateConfig {
  url: string
  topicPrefix: string
  username?: string
  password?: string
  http?: string
  cameras: Array<{ map: FrigateCameraMap; device: { id: string; buildingId: string; password: string } }>
}

/** Credentials of a device from its file, or undefined with the problem recorded (site-config.ts reads them). */
export type CredentialsReader = (file: string, where: string) => { clientId: string; password: string } | undefined

export function resolveFrigate (raw: FrigateSection, path: (p: string) => string, credentials: CredentialsReader, problems: string[]): FrigateConfig | undefined {
  const before = problems.length
  let password: string | undefined
  if (raw.passwordFile !== undefined) {
    const file = path(raw.passwordFile)
    try {
      if ((statSync(file).mode & 0o077) !== 0) problems.push(`/frigate/passwordFile: ${file} can be read by other users; chmod 600 it`)
      password = readFileSync(file, 'utf8').split('\n')[0]!
    } catch (err) {
      problems.push(`/frigate/passwordFile: ${file} cannot be read: ${(err as Error).message}`)
    }
  }
  if (password !== undefined && raw.username === undefined) problems.push('/frigate/username: a passwordFile needs the username it goes with')
  const cameras: FrigateConfig['cameras'] = []
  const names = new Set<string>()
  const devices = new Set<string>()
  const zoneOwners = new Map<string, string>()
  for (const [i, c] of raw.cameras.entries()) {
    const at = `/frigate/cameras/${i}`
    if (names.has(c.frigate)) problems.push(`${at}/frigate: camera ${c.frigate} is configured twice`)
    names.add(c.frigate)
    const zones = Object.keys(c.zones)
    if (zones.length === 0 && c.line === undefined) problems.push(`${at}/zones: name at least one Frigate zone to report (zones: { lobby: { door: main-gate } })`)
    for (const z of zones) {
      // Frigate publishes a zone's count on <prefix>/<zone>/person, whatever camera it is on: one name, one zone.
      const owner = zoneOwners.get(z)
      if (owner !== undefined && owner !== c.frigate) problems.push(`${at}/zones/${z}: zone ${z} is configured on camera ${owner} too; Frigate zone names are one per site`)
      zoneOwners.set(z, c.frigate)
      if (raw.cameras.some((o) => o.frigate === z)) problems.push(`${at}/zones/${z}: ${z} is also a camera name; Frigate's count topics could not tell them apart`)
    }
    if (c.line !== undefined) {
      if (c.line.outside === c.line.inside) problems.push(`${at}/line: outside and inside must be two different zones`)
      for (const side of ['outside', 'inside'] as const) {
        if (!Object.hasOwn(c.zones, c.line[side])) problems.push(`${at}/line/${side}: ${c.line[side]} is not one of this camera's zones; add it under zones`)
      }
    }
    const creds = credentials(path(c.credentialsFile), `${at}/credentialsFile`)
    if (creds === undefined) continue
    if (devices.has(creds.clientId)) problems.push(`${at}/credentialsFile: device ${creds.clientId} is used by another Frigate camera too (one session per device)`)
    devices.add(creds.clientId)
    cameras.push({
      map: { frigate: c.frigate, zones: c.zones, ...(c.line === undefined ? {} : { line: c.line }) },
      device: { id: creds.clientId, buildingId: c.building, password: creds.password },
    })
  }
  if (problems.length > before) return undefined
  return {
    url: raw.mqtt,
    topicPrefix: raw.topicPrefix ?? 'frigate',
    ...(raw.username === undefined ? {} : { username: raw.username }),
    ...(password === undefined ? {} : { password }),
    ...(raw.http === undefined ? {} : { http: raw.http }),
    cameras,
  }
}
