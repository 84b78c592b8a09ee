// Sets up a load run through the platform API, as an administrator would: an
// area chain of its own, N buildings with rooms, registered residents with a
// card each (register on arrival), and M readers per building. Every name
// carries the run's tag, so a run never touches what is already there and
// several runs can share one platform.

import { deviceTopic } from '../../protocol/index.ts'
import { gb11643CheckChar } from '../../contract/national-id.ts'
import type { ApiClient } from '../../contract/client.ts'
import { inParallel } from './in-parallel.ts'
import type { PublisherDevice } from './publisher.ts'

export interface ProvisionOptions {
  buildings: number
  devicesPerBuilding: number
  residentsPerBuilding: number
  /** Lower-case letters and digits; prefixes every id of the run. */
  tag: string
  /** API calls in flight (default 8). */
  concurrency?: number
  onProgress?: (what: string, done: number, total: number) => void
}

export interface ProvisionedSite {
  devices: PublisherDevice[]
  /** Every building id of the run starts with this. */
  buildingPrefix: string
  areaPath: string
}

/** A new run tag: `ld` and the time in base 36. */
export function runTag (now = Date.now()): string {
  return `ld${now.toString(36)}`
}

/** A valid resident ID number, distinct for every n below 15 million (born 1960-01-01 + n mod 15000 days). */
export function loadIdNumber (n: number): string {
  const birth = new Date(Date.UTC(1960, 0, 1) + (n % 15_000) * 86_400_000)
  const ymd = birth.toISOString().slice(0, 10).replaceAll('-', '')
  const first17 = `440604${ymd}${String(Math.floor(n / 15_000) % 1000).padStart(3, '0')}`
  return first17 + gb11643CheckChar(first17)
}

export async function provisionSite (api: ApiClient, o: ProvisionOptions): Promise<ProvisionedSite> {
  const limit = o.concurrency ?? 8
  const t = o.tag
  const ids = { district: `${t}-d`, street: `${t}-s`, community: `${t}-c`, grid: `${t}-g` }
  await api.request('POST /areas', { body: { id: ids.district, kind: 'district', name: `Load ${t}` } })
  await api.request('POST /areas', { body: { id: ids.street, parentId: ids.district, kind: 'street', name: `Load ${t} street` } })
  await api.request('POST /areas', { body: { id: ids.community, parentId: ids.street, kind: 'community', name: `Load ${t} community` } })
  await api.request('POST /areas', { body: { id: ids.grid, parentId: ids.community, kind: 'grid', name: `Load ${t} grid` } })
  const buildingIds = Array.from({ length: o.buildings }, (_, i) => `${t}-b${i}`)
  await inParallel(buildingIds, limit, async (id, i) => {
    await api.request('POST /buildings', { body: { id, gridId: ids.grid, name: `Load block ${i}`, address: `Loopback road ${i}` } })
    o.onProgress?.('buildings', i + 1, buildingIds.length)
  })

  // Two residents a room, each with a card of their own.
  const rooms = Math.max(1, Math.ceil(o.residentsPerBuilding / 2))
  const roomJobs = buildingIds.flatMap((b) => Array.from({ length: rooms }, (_, r) => ({ b, r })))
  let done = 0
  const roomIds = await inParallel(roomJobs, limit, async ({ b, r }) => {
    const room = await api.request('POST /buildings/:id/rooms', { params: { id: b }, body: { id: `${b}-r${r}`, number: `R${r}`, capacity: 2 } })
    o.onProgress?.('rooms', ++done, roomJobs.length)
    return room.id
  })
  const salt = Math.floor(Math.random() * 5_000_000)
  const regJobs = buildingIds.flatMap((b, bi) => Array.from({ length: o.residentsPerBuilding }, (_, k) => ({ b, bi, k })))
  const cards = new Map<string, Array<{ card: string; credentialId: string }>>()
  done = 0
  await inParallel(regJobs, limit, async ({ b, bi, k }, n) => {
    const card = `C${(salt * 16 + n).toString(16).padStart(10, '0')}`
    const reg = await api.request('POST /rooms/:id/registrations', {
      params: { id: String(roomIds[bi * rooms + Math.floor(k / 2)]) },
      body: { resident: { name: `Resident ${b} ${k}`, idType: 'resident_id', idNumber: loadIdNumber(salt + n) }, credentials: [{ kind: 'card', value: card }] },
    })
    const list = cards.get(b) ?? []
    list.push({ card, credentialId: reg.credentials[0]!.id })
    cards.set(b, list)
    o.onProgress?.('residents', ++done, regJobs.length)
  })

  const devJobs = buildingIds.flatMap((b) => Array.from({ length: o.devicesPerBuilding }, (_, k) => ({ b, k })))
  done = 0
  const devices = await inParallel(devJobs, limit, async ({ b, k }) => {
    const p = await api.request('POST /buildings/:id/devices', {
      params: { id: b }, body: { id: `${b}-d${k}`, door: 'main-gate', kind: 'reader', vendor: 'Load', model: 'LR-1' },
    })
    o.onProgress?.('devices', ++done, devJobs.length)
    const holder = cards.get(b)?.[k % o.residentsPerBuilding] ?? { card: 'C0', credentialId: 'none' }
    const d: PublisherDevice = {
      id: p.device.id, password: p.mqtt.password,
      topic: deviceTopic(b, p.device.id, 'event/access'), will: deviceTopic(b, p.device.id, 'status'),
      ...holder,
    }
    return d
  })
  return { devices, buildingPrefix: `${t}-b`, areaPath: `/${ids.district}/${ids.street}/${ids.community}/${ids.grid}/` }
}
