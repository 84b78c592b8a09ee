// Puts the simulated site on the platform through its API, as people would:
// an administrator creates the areas (district to grid), a landlord account
// and an account of the devices' vendor; the landlord registers the buildings,
// their rooms with capacities and the devices, allows the vendor in, and keeps
// the landlord session for registrations (the vendor's serves its visits). The
// platform chooses the ids of what the landlord creates; they are returned
// for the world to adopt (world/platform-ids.ts).
//
// On a platform that runs the demo site (findDemoSite), the buildings go
// beside the demo's instead: into its grids, as the demo landlord's (logged in
// with the demo password, or registered for them by the administrator), so
// that the demo accounts (landlord-li, police-zumiao, grid-chen) see them. No
// areas or landlord account are created then. removeSite takes off what a run
// created (DELETE /buildings/{id}?force=true, accounts disabled).

import { randomBytes } from 'node:crypto'
import type { DeviceCredentials } from '../device/index.ts'
import type { Site } from '../world/model.ts'
import type { PlatformIds } from '../world/platform-ids.ts'
import { ApiClient, ApiError } from '../../contract/client.ts'
import { DEMO_PASSWORD, DEMO_SITE } from '../../platform/starter.ts'

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
  /** What this run created on the platform, for removeSite. Areas cannot be deleted and stay. */
  created: { buildings: string[]; accounts: string[]; areas: string[] }
  /** Set when the buildings stand in the demo site's grids, under its landlord. */
  placement?: DemoPlacement
}

/** The demo site's grids and landlord, when the platform runs it: the simulated buildings go there. */
export interface DemoPlacement {
  landlordId: string
  landlordUsername: string
  grids: string[]
}

/** The demo site's placement, if the platform has its landlord (enabled) and grids; else undefined. */
export async function findDemoSite (admin: ApiClient): Promise<DemoPlacement | undefined> {
  const landlords = await admin.request('GET /users', { query: { role: 'landlord' } })
  const landlord = landlords.find((u) => u.username === DEMO_SITE.landlord && !u.disabled)
  if (landlord === undefined) return undefined
  const areas = await admin.request('GET /areas')
  const grids = DEMO_SITE.grids.filter((id) => areas.some((a) => a.id === id && a.kind === 'grid'))
  if (grids.length === 0) return undefined
  return { landlordId: landlord.id, landlordUsername: landlord.username, grids }
}

export async function provisionSite (
  admin: ApiClient, site: Site, o: { mqttUrl?: string; placement?: DemoPlacement; created?: ProvisionedSite['created'] } = {},
): Promise<ProvisionedSite> {
  const ns = site.namespace
  // Filled as it goes (the caller's, if given): a provisioning that fails halfway can still be removed.
  const created: ProvisionedSite['created'] = o.created ?? { buildings: [], accounts: [], areas: [] }
  const account = async (role: 'landlord' | 'vendor', displayName: string, more: { organisation?: string } = {}): Promise<{ api: ApiClient; id: string }> => {
    const username = `${ns.toLowerCase()}-${role}`.slice(0, 40)
    const password = randomBytes(12).toString('base64url')
    const user = await admin.request('POST /users', { body: { username, displayName, role, password, ...more } })
    created.accounts.push(user.id)
    return { api: await ApiClient.login(admin.base, username, password), id: user.id }
  }
  let landlord: ApiClient
  let grids: readonly string[]
  if (o.placement === undefined) {
    const areas = [
      { id: `${ns}-d`, kind: 'district', name: `Simulated district ${ns}` },
      { id: `${ns}-s`, parentId: `${ns}-d`, kind: 'street', name: 'Simulated street' },
      { id: `${ns}-c`, parentId: `${ns}-s`, kind: 'community', name: 'Simulated community' },
      { id: `${ns}-g`, parentId: `${ns}-c`, kind: 'grid', name: 'Simulated grid' },
    ] as const
    for (const a of areas) {
      await admin.request('POST /areas', { body: a })
      created.areas.push(a.id)
    }
    landlord = (await account('landlord', `Landlord of the simulated site ${ns}`)).api
    grids = [`${ns}-g`]
  } else {
    // The demo landlord's own session if the account is still on the demo password; else the administrator
    // registers for them (buildings with their landlordId), which they see all the same.
    landlord = await ApiClient.login(admin.base, o.placement.landlordUsername, DEMO_PASSWORD).catch((err: unknown) => {
      if (err instanceof ApiError && err.status === 401) return admin
      throw err
    })
    grids = o.placement.grids
  }
  const asAdmin = landlord === admin
  const vendor = await account('vendor', `Installer of ${SIM_VENDOR}`, { organisation: SIM_VENDOR })
  const devices = new Map<string, DeviceCredentials>()
  const ids = { buildings: new Map<string, string>(), rooms: new Map<string, string>(), devices: new Map<string, string>() }
  const roomsCreatedAt = Date.now()
  for (const [i, b] of site.buildings.entries()) {
    const building = await landlord.request('POST /buildings', {
      body: {
        gridId: grids[i % grids.length]!, name: b.name, address: b.address, location: b.location,
        ...(asAdmin && o.placement !== undefined ? { landlordId: o.placement.landlordId } : {}),
      },
    })
    ids.buildings.set(b.id, building.id)
    created.buildings.push(building.id)
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
  return { landlord, vendor: vendor.api, devices, ids, roomsCreatedAt, created, ...(o.placement === undefined ? {} : { placement: o.placement }) }
}

/**
 * Takes off the platform what provisionSite created, as an administrator: each building with everything in it
 * (its tenants deregistered, its devices deleted: DELETE /buildings/{id}?force=true), then the run's accounts
 * disabled. Areas cannot be deleted; they stay. Goes on past a failure and returns what failed.
 */
export async function removeSite (admin: ApiClient, created: ProvisionedSite['created']): Promise<string[]> {
  const failures: string[] = []
  for (const id of created.buildings) {
    await admin.request('DELETE /buildings/:id', { params: { id }, query: { force: true } })
      .catch((err: unknown) => { if (!(err instanceof ApiError && err.status === 404)) failures.push(`building ${id}: ${String(err)}`) })
  }
  for (const id of created.accounts) {
    await admin.request('PATCH /users/:id', { params: { id }, body: { disabled: true } })
      .catch((err: unknown) => { failures.push(`account ${id}: ${String(err)}`) })
  }
  return failures
}
