// Presence, counts only: per room its capacity, its active registrations and
// how many people the pipeline believes inside now. No names and no ids of
// people: a landlord sees the same in their own building, grid workers and
// police in their area.

import type { Occupancy, RoomOccupancy } from '../../contract/routes/landlord-routes.ts'
import type { Actor } from './access.ts'
import { loadBuilding } from './buildings.ts'
import type { RegistryContext } from './context.ts'
import type { PresenceReader } from './presence-port.ts'

export async function readOccupancy (ctx: RegistryContext, presence: PresenceReader, actor: Actor, buildingId: string): Promise<Occupancy> {
  await loadBuilding(ctx.db, actor, buildingId, 'residents.read')
  const r = await ctx.db.query<{ id: string; number: string; capacity: number; registered: number }>(
    `select r.id, r.number, r.capacity,
            (select count(*)::int from registrations g where g.room_id = r.id and g.status = 'active') as registered
       from rooms r where r.building_id = $1 order by r.number`, [buildingId])
  const known = presence.running()
  const rooms: RoomOccupancy[] = r.rows.map((row) => {
    const observedInside = known ? presence.observedInside(row.id) : 0
    return {
      roomId: row.id,
      number: row.number,
      capacity: row.capacity,
      registered: row.registered,
      observedInside,
      vacant: row.registered === 0,
      overCapacity: { registered: row.registered > row.capacity, observed: observedInside > row.capacity },
    }
  })
  const sum = (f: (x: RoomOccupancy) => number): number => rooms.reduce((n, x) => n + f(x), 0)
  return {
    buildingId,
    asOf: ctx.now().toISOString(),
    presenceKnown: known,
    totals: {
      rooms: rooms.length,
      capacity: sum((x) => x.capacity),
      registered: sum((x) => x.registered),
      observedInside: sum((x) => x.observedInside),
      vacantRooms: sum((x) => (x.vacant ? 1 : 0)),
      overCapacityRooms: sum((x) => (x.overCapacity.registered || x.overCapacity.observed ? 1 : 0)),
    },
    rooms,
  }
}
