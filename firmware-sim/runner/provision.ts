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
import { ApiClient } from '../../contract/client.ts'

/** The vendor named on every simulated device, and the organisation of its account. */
export const SIM_VENDOR = 'RH Simulator'

export interface ProvisionedSite {
  landlord: ApiClient
  /** The devices' vendor, allowed in every building. */
  vendor: ApiClient
  /** By the platform's device id. */
  devices: Map<string, DeviceCredentials>
  /** The platform's ids of the site's buildings, rooms and devices. */
  ids: PlatformIds
  /** System time the rooms were created (the platform counts vacancy from it). */
  roomsCreatedAt: number
}

export async function provisionSite (admin: ApiClient, site: Site, o: { mqttUrl?: string } = {}): Promise<ProvisionedSite> {
  const ns = site.namespace
  const areas = [
    { id: `${ns}-d`, kind: 'district', name: `Simulated district ${ns}` },
    { id: `${ns}-s`, parentId: `${ns}-d`, kind: 'street', name: 'Simulated street' },
    { id: `${ns}-c`, parentId: `${ns}-s`, kind: 'community', name: 'Simulated community' },
    { id: `${ns}-g`, parentId: `${ns}-c`, kind: 'grid', name: 'Simulated grid' },
  ] as const
  for (const a of areas) await admin.request('POST /areas', { body: a })
  const account = async (role: 'landlord' | 'vendor', displayName: string, more: { organisation?: string } = {}): Promise<{ api: ApiClient; id: string }> => {
    const username = `${ns.toLowerCase()}-${role}`.slice(0, 40)
    const password = randomBytes(12).toString('base64url')
    const user = await admin.request('POST /users', { body: { username, displayName, role, password, ...more } })
    return { api: await ApiClient.login(admin.base, username, password), id: user.id }
  }
  const landlord = (await account('landlord', `Landlord of the simulated site ${ns}`)).api
  const vendor = await account('vendor', `Installer of ${SIM_VENDOR}`, { organisation: SIM_VENDOR })
  const devices = new Map<string, DeviceCredentials>()
  const ids = { buildings: new Map<string, string>(), rooms: new Map<string, string>(), devices: new Map<string, string>() }
  const roomsCreatedAt = Date.now()
  for (const b of site.buildings) {
    const building = await landlord.request('POST /buildings', { body: { gridId: `${ns}-g`, name: b.name, address: b.address, location: b.location } })
    ids.buildings.set(b.id, building.id)
    await landlord.request('POST /buildings/:id/vendors', { params: { id: building.id }, body: { vendorId: vendor.id } })
    for (const r of b.rooms) {
      const room = await landlord.request('POST /buildings/:id/rooms', { params: { id: building.id }, body: { number: r.number, capacity: r.capacity } })
      ids.rooms.set(r.id, room.id)
    }
    for (const d of b.devices) {
      const p = await landlord.request('POST /buildings/:id/devices', {
        params: { id: building.id }, body: { door: d.door, kind: d.kind, vendor: SIM_VENDOR, model: d.kind === 'reader' ? 'SIM-R1' : 'SIM-C1' },
      })
      ids.devices.set(d.id, p.device.id)
      devices.set(p.device.id, { url: o.mqttUrl ?? p.mqtt.url, buildingId: building.id, deviceId: p.device.id, door: d.door, password: p.mqtt.password, allowlistKey: p.mqtt.allowlistKey })
    }
  }
  return { landlord, vendor: vendor.api, devices, ids, roomsCreatedAt }
}
