// Puts the simulated site on the platform through its API, as people would:
// an administrator creates the areas (district to grid) and a landlord
// account; the landlord registers the buildings, their rooms with capacities
// and the devices, and keeps the landlord session for registrations.

import { randomBytes } from 'node:crypto'
import type { DeviceCredentials } from '../device/index.ts'
import type { Site } from '../world/model.ts'
import { PlatformApi } from './platform-api.ts'

export interface ProvisionedSite {
  landlord: PlatformApi
  devices: Map<string, DeviceCredentials>
  /** System time the rooms were created (the platform counts vacancy from it). */
  roomsCreatedAt: number
}

interface ProvisionResponse { mqtt: { url: string; password: string; allowlistKey: string | null } }

export async function provisionSite (admin: PlatformApi, site: Site, o: { mqttUrl?: string } = {}): Promise<ProvisionedSite> {
  const ns = site.namespace
  const areas = [
    { id: `${ns}-d`, kind: 'district', name: `Simulated district ${ns}` },
    { id: `${ns}-s`, parentId: `${ns}-d`, kind: 'street', name: 'Simulated street' },
    { id: `${ns}-c`, parentId: `${ns}-s`, kind: 'community', name: 'Simulated community' },
    { id: `${ns}-g`, parentId: `${ns}-c`, kind: 'grid', name: 'Simulated grid' },
  ]
  for (const a of areas) await admin.call('POST', '/areas', a)
  const username = `${ns.toLowerCase()}-landlord`.slice(0, 40)
  const password = randomBytes(12).toString('base64url')
  await admin.call('POST', '/users', { username, displayName: `Landlord of the simulated site ${ns}`, role: 'landlord', password })
  const landlord = await PlatformApi.login(admin.base, username, password)
  const devices = new Map<string, DeviceCredentials>()
  const roomsCreatedAt = Date.now()
  for (const b of site.buildings) {
    await landlord.call('POST', '/buildings', { id: b.id, gridId: `${ns}-g`, name: b.name, address: b.address })
    for (const r of b.rooms) await landlord.call('POST', `/buildings/${b.id}/rooms`, { id: r.id, number: r.number, capacity: r.capacity })
    for (const d of b.devices) {
      const p = await landlord.call<ProvisionResponse>('POST', `/buildings/${b.id}/devices`, {
        id: d.id, door: d.door, kind: d.kind, vendor: 'RH Simulator', model: d.kind === 'reader' ? 'SIM-R1' : 'SIM-C1',
      })
      devices.set(d.id, { url: o.mqttUrl ?? p.mqtt.url, buildingId: b.id, deviceId: d.id, door: d.door, password: p.mqtt.password, allowlistKey: p.mqtt.allowlistKey })
    }
  }
  return { landlord, devices, roomsCreatedAt }
}
