// Puts the simulated site on the platform through its API, as people would:
// an administrator creates the areas (district to grid), a landlord account
// and an account of the devices' vendor; the landlord registers the buildings,
// their rooms with capacities and the devices, allows the vendor in, and keeps
// the landlord session for registrations (the vendor's serves its visits). The
// platform chooses the ids of what the landlord creates; they are returned
// for the world to adopt (world/platform-ids.ts).

import { randomBytes } from 'node:crypto'
import type { DeviceCredentials } from '../device/index.ts'
import type { Site } from '../world/model.ts'
import type { PlatformIds } from '../world/platform-ids.ts'
import { PlatformApi } from './platform-api.ts'

/** The vendor named on every simulated device, and the organisation of its account. */
export const SIM_VENDOR = 'RH Simulator'

export interface ProvisionedSite {
  landlord: PlatformApi
  /** The devices' vendor, allowed in every building. */
  vendor: PlatformApi
  /** By the platform's device id. */
  devices: Map<string, DeviceCredentials>
  /** The platform's ids of the site's buildings, rooms and devices. */
  ids: PlatformIds
  /** System time the rooms were created (the platform counts vacancy from it). */
  roomsCreatedAt: number
}

interface ProvisionResponse { device: { id: string }; mqtt: { url: string; password: string; allowlistKey: string | null } }

export async function provisionSite (admin: PlatformApi, site: Site, o: { mqttUrl?: string } = {}): Promise<ProvisionedSite> {
  const ns = site.namespace
  const areas = [
    { id: `${ns}-d`, kind: 'district', name: `Simulated district ${ns}` },
    { id: `${ns}-s`, parentId: `${ns}-d`, kind: 'street', name: 'Simulated street' },
    { id: `${ns}-c`, parentId: `${ns}-s`, kind: 'community', name: 'Simulated community' },
    { id: `${ns}-g`, parentId: `${ns}-c`, kind: 'grid', name: 'Simulated grid' },
  ]
  for (const a of areas) await admin.call('POST', '/areas', a)
  const account = async (role: 'landlord' | 'vendor', displayName: string, more: object = {}): Promise<{ api: PlatformApi; id: string }> => {
    const username = `${ns.toLowerCase()}-${role}`.slice(0, 40)
    const password = randomBytes(12).toString('base64url')
    const user = await admin.call<{ id: string }>('POST', '/users', { username, displayName, role, password, ...more })
    return { api: await PlatformApi.login(admin.base, username, password), id: user.id }
  }
  const landlord = (await account('landlord', `Landlord of the simulated site ${ns}`)).api
  const vendor = await account('vendor', `Installer of ${SIM_VENDOR}`, { organisation: SIM_VENDOR })
  const devices = new Map<string, DeviceCredentials>()
  const ids = { buildings: new Map<string, string>(), rooms: new Map<string, string>(), devices: new Map<string, string>() }
  const roomsCreatedAt = Date.now()
  for (const b of site.buildings) {
    const building = await landlord.call<{ id: string }>('POST', '/buildings', { gridId: `${ns}-g`, name: b.name, address: b.address, location: b.location })
    ids.buildings.set(b.id, building.id)
    await landlord.call('POST', `/buildings/${building.id}/vendors`, { vendorId: vendor.id })
    for (const r of b.rooms) {
      const room = await landlord.call<{ id: string }>('POST', `/buildings/${building.id}/rooms`, { number: r.number, capacity: r.capacity })
      ids.rooms.set(r.id, room.id)
    }
    for (const d of b.devices) {
      const p = await landlord.call<ProvisionResponse>('POST', `/buildings/${building.id}/devices`, {
        door: d.door, kind: d.kind, vendor: SIM_VENDOR, model: d.kind === 'reader' ? 'SIM-R1' : 'SIM-C1',
      })
      ids.devices.set(d.id, p.device.id)
      devices.set(p.device.id, { url: o.mqttUrl ?? p.mqtt.url, buildingId: building.id, deviceId: p.device.id, door: d.door, password: p.mqtt.password, allowlistKey: p.mqtt.allowlistKey })
    }
  }
  return { landlord, vendor: vendor.api, devices, ids, roomsCreatedAt }
}
