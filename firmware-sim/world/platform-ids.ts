// The platform chooses the ids of the buildings, rooms and devices a landlord
// creates (only administrators may choose ids, so that no answer tells a
// caller about ids outside their scope). The world plans with ids of its own;
// once the site is provisioned it takes the platform's, renaming every
// building, room and device reference in the site and its actions in place,
// so that the runner, the devices and the ground truth all speak the
// platform's ids.

import type { Action, Scenario } from './model.ts'

/** World id to platform id, per kind. */
export interface PlatformIds {
  buildings: ReadonlyMap<string, string>
  rooms: ReadonlyMap<string, string>
  devices: ReadonlyMap<string, string>
}

export function adoptPlatformIds (scenario: Pick<Scenario, 'site' | 'actions'>, ids: PlatformIds): void {
  const rename = (map: ReadonlyMap<string, string>, id: string): string => {
    const to = map.get(id)
    if (to === undefined) throw new Error(`the platform gave no id for ${id}`)
    return to
  }
  const building = (id: string): string => rename(ids.buildings, id)
  const room = (id: string): string => rename(ids.rooms, id)
  const device = (id: string): string => rename(ids.devices, id)
  const { site } = scenario
  for (const b of site.buildings) {
    for (const r of b.rooms) Object.assign(r, { id: room(r.id), buildingId: building(r.buildingId) })
    for (const d of b.devices) Object.assign(d, { id: device(d.id), buildingId: building(d.buildingId) })
    b.id = building(b.id)
  }
  for (const p of site.persons) Object.assign(p, { buildingId: building(p.buildingId), roomId: p.roomId === null ? null : room(p.roomId) })
  for (const c of site.credentials) Object.assign(c, { buildingId: building(c.buildingId), roomId: c.roomId === null ? null : room(c.roomId) })
  for (const a of scenario.actions) renameAction(a, { building, room, device })
}

function renameAction (a: Action, to: { building: (id: string) => string; room: (id: string) => string; device: (id: string) => string }): void {
  switch (a.kind) {
    case 'pass': a.buildingId = to.building(a.buildingId); break
    case 'register': a.roomId = to.room(a.roomId); break
    case 'door': case 'outage': case 'restore': case 'drift': case 'rekey': case 'approve': a.deviceId = to.device(a.deviceId); break
    case 'deregister': case 'issue': case 'revoke': case 'visitor-pass': break
  }
}
