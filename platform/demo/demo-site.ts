// A small demo site loaded into an empty registry by `npm start`, so the API,
// the broker and the consoles have something to show. Every account has the
// password DEMO_PASSWORD; the README lists them. The demo devices' secrets go
// to a file only the platform's user can read (DATA_DIR/demo-devices.json),
// never to the console or the log.
//
// Whether demo accounts are there is detected at every start, not assumed
// from DEMO: a registry seeded once keeps them after a start with DEMO=off.
// detectDemoSite names the demo accounts that are enabled and still accept
// the published password (checked against their stored hashes).

import { existsSync } from 'node:fs'
import type { Logger } from 'pino'
import { writeDurably } from '../store/durable-file.ts'
import type { Actor } from '../registry/access.ts'
import { verifyPassword } from '../registry/passwords.ts'
import type { Registry } from '../registry/registry.ts'
import type { Queryable } from '../store/database.ts'

export const DEMO_PASSWORD = 'demo-password'

export const DEMO_ACCOUNTS = [
  { username: 'admin', displayName: 'Platform administrator', role: 'admin' },
  { username: 'landlord-li', displayName: 'Li Ming (landlord, building demo-b1)', role: 'landlord' },
  { username: 'landlord-wang', displayName: 'Wang Fang (landlord, building demo-b2)', role: 'landlord' },
  { username: 'grid-chen', displayName: 'Chen Jie (grid worker, Lianhua community)', role: 'grid_worker', areaId: 'lianhua' },
  { username: 'police-zumiao', displayName: 'Zumiao police station', role: 'police', areaId: 'zumiao' },
  { username: 'vendor-acme', displayName: 'Acme Access installer', role: 'vendor', organisation: 'Acme Access' },
] as const

/**
 * Where the demo site stands and who sees it, for programs that drive it or put more buildings beside it (the
 * simulator: `npm run demo`, `npm run sim -- --api`): its buildings, the grids they stand in, their landlords and
 * the police and grid worker of the area.
 */
export const DEMO_SITE = {
  buildings: ['demo-b1', 'demo-b2'],
  grids: ['lianhua-g1', 'lianhua-g2'],
  landlord: 'landlord-li',
  police: 'police-zumiao',
  gridWorker: 'grid-chen',
} as const

export interface DemoSite {
  /** The demo accounts, enabled, that still accept DEMO_PASSWORD. */
  openAccounts: string[]
  /** Lines for the start-up banner. */
  describe (): string[]
}

/** What seedDemoSite loaded. */
export interface SeededDemo {
  devices: string[]
}

/** The banner's lines on where the demo devices' secrets are. */
function secretsLines (secretsFile: string): string[] {
  return existsSync(secretsFile)
    ? [`Demo device secrets: ${secretsFile} (readable by this user only), or give a device a new one with POST /devices/{id}/rotate-secret.`]
    : ['Demo device secrets: give a device a new one with POST /devices/{id}/rotate-secret.']
}

/** 17 digits + GB 11643 check character. */
function residentId (first17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * weights[i]!, 0)
  return first17 + '10X98765432'[sum % 11]!
}

/**
 * Loads the demo site into an empty registry; `secretsFile` receives the
 * devices' secrets (mode 0600). Undefined when the registry has accounts.
 */
export async function seedDemoSite (registry: Registry, logger: Logger, secretsFile: string): Promise<SeededDemo | undefined> {
  const existing = await registry.ctx.db.query<{ n: number }>('select count(*)::int as n from users')
  if (existing.rows[0]!.n > 0) return undefined
  const admin = await registry.users.create(null, { ...DEMO_ACCOUNTS[0], password: DEMO_PASSWORD })
  const root: Actor = { id: admin.id, role: 'admin', username: admin.username }
  await registry.areas.create(root, { id: 'chancheng', kind: 'district', name: 'Chancheng District' })
  await registry.areas.create(root, { id: 'zumiao', parentId: 'chancheng', kind: 'street', name: 'Zumiao Street' })
  await registry.areas.create(root, { id: 'lianhua', parentId: 'zumiao', kind: 'community', name: 'Lianhua Community' })
  await registry.areas.create(root, { id: 'lianhua-g1', parentId: 'lianhua', kind: 'grid', name: 'Lianhua grid 1' })
  await registry.areas.create(root, { id: 'lianhua-g2', parentId: 'lianhua', kind: 'grid', name: 'Lianhua grid 2' })
  const ids: Record<string, string> = {}
  for (const a of DEMO_ACCOUNTS.slice(1)) ids[a.username] = (await registry.users.create(root, { ...a, password: DEMO_PASSWORD })).id

  await registry.buildings.create(root, { id: 'demo-b1', gridId: 'lianhua-g1', name: 'Lianhua Lane 8', address: '8 Lianhua Lane, Zumiao Street', landlordId: ids['landlord-li']! })
  await registry.buildings.create(root, { id: 'demo-b2', gridId: 'lianhua-g2', name: 'Lianhua Lane 12', address: '12 Lianhua Lane, Zumiao Street', landlordId: ids['landlord-wang']! })
  await registry.buildings.grantVendor(root, 'demo-b1', ids['vendor-acme']!)
  const rooms = [
    ['demo-b1', 'demo-b1-101', '101', 2], ['demo-b1', 'demo-b1-102', '102', 3], ['demo-b1', 'demo-b1-201', '201', 2],
    ['demo-b2', 'demo-b2-101', '101', 4],
  ] as const
  for (const [b, id, number, capacity] of rooms) await registry.buildings.createRoom(root, b, { id, number, capacity })

  const tenants = [
    ['demo-b1-101', 'Zhang Wei', residentId('44060419900307231'), 'card', '04A1B2C3'],
    ['demo-b1-102', 'Liu Yang', residentId('45010219950812152'), 'ic_card', 'E0040150A1B2C3D4'],
    ['demo-b2-101', 'Huang Lei', residentId('36010219881121003'), 'card', '04D5E6F7'],
  ] as const
  for (const [room, name, idNumber, kind, value] of tenants) {
    await registry.registrations.register(root, room, {
      resident: { name, idType: 'resident_id', idNumber },
      permitValidUntil: '2027-06-30',
      credentials: [{ kind, value }],
    })
  }
  const reader = await registry.devices.provision(root, 'demo-b1', { id: 'demo-b1-reader', door: 'main-gate', kind: 'reader', faces: 'both', vendor: 'Acme Access', model: 'AR-200' })
  const camera = await registry.devices.provision(root, 'demo-b1', { id: 'demo-b1-cam', door: 'main-gate', kind: 'camera', vendor: 'Acme Access', model: 'AC-10' })
  const devices = [reader, camera].map(({ device, secret, allowlistKey }) => ({
    clientId: device.id, username: device.id, password: secret, buildingId: device.buildingId, kind: device.kind,
    ...(allowlistKey === null ? {} : { allowlistKey }),
  }))
  writeDurably(secretsFile, `${JSON.stringify({
    note: 'MQTT logins of the demo devices (protocol/README.md section 5) and the reader\'s allow-list key (section 7.2). ' +
      'For local trials only; rotate with POST /devices/{id}/rotate-secret.',
    devices,
  }, null, 2)}\n`)
  logger.info({ secretsFile }, 'demo site loaded')
  return { devices: devices.map((d) => d.clientId) }
}

/**
 * The demo site as far as it is still open: undefined when no demo account
 * is enabled with DEMO_PASSWORD. `seeded`: what this start loaded, if it did.
 */
export async function detectDemoSite (db: Queryable, secretsFile: string, seeded?: SeededDemo): Promise<DemoSite | undefined> {
  const names: string[] = DEMO_ACCOUNTS.map((a) => a.username)
  const r = await db.query<{ username: string; password_hash: string }>(
    'select username, password_hash from users where username = any($1) and not disabled', [names])
  const hashes = new Map(r.rows.map((row) => [row.username, row.password_hash]))
  // A handful of scrypt checks, side by side on the thread pool.
  const open = (await Promise.all(names.map(async (name) => {
    const hash = hashes.get(name)
    return hash !== undefined && await verifyPassword(DEMO_PASSWORD, hash) ? name : undefined
  }))).filter((name): name is string => name !== undefined)
  if (open.length === 0) return undefined
  const describe = seeded === undefined
    ? (): string[] => [`Demo accounts still on the public password "${DEMO_PASSWORD}": ${open.join(', ')}.`, ...secretsLines(secretsFile)]
    : (): string[] => [
        `Demo site loaded (buildings demo-b1, demo-b2). Accounts, all with password "${DEMO_PASSWORD}":`,
        ...DEMO_ACCOUNTS.map((a) => `  ${a.username.padEnd(14)} ${a.role}`),
        `Demo devices: ${seeded.devices.join(', ')}.`,
        ...secretsLines(secretsFile),
      ]
  return { openAccounts: open, describe }
}
