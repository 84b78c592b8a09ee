// The KPIs' reader of the event log (a LogReader, platform/events/log-reader.ts,
// with its own row `kpis` in log_reader_progress). From each batch it derives,
// in the transaction that moves its position (so each event counts once, and a
// restart resumes after the last batch it committed):
// - per building, door and local day, people the camera counted in and
//   entries granted by a credential (kpi_door_days): the unexplained entries;
// - per registration, the latest presentation of the holder's own credential at
//   the building of the registration (kpi_own_passages), opened or not: a
//   card turned away because its permit ran out still shows its holder there.
// The fold of a batch is pure (foldBatch); the SQL is at the edge.

import type { Logger } from 'pino'
import type { LogEntry } from '../events/log-source.ts'
import { LogReader } from '../events/log-reader.ts'
import type { Database, Queryable } from '../store/database.ts'
import { localDate } from '../registry/time-zones.ts'

export const KPI_READER = 'kpis'

export interface DoorDayDelta { buildingId: string; day: string; door: string; countedIn: number; grantedIn: number }

export interface BatchFold {
  doorDays: DoorDayDelta[]
  /** Latest event time (ms) per credential id presented (granted or denied), with the building it was at. */
  passages: Array<{ credentialId: string; buildingId: string; at: number }>
}

/** What one batch adds, with each building's time zone (a building not in `zones` is not counted). */
export function foldBatch (batch: readonly LogEntry[], zones: ReadonlyMap<string, string>): BatchFold {
  const doorDays = new Map<string, DoorDayDelta>()
  const passages = new Map<string, { credentialId: string; buildingId: string; at: number }>()
  const bump = (buildingId: string, at: number, door: string, countedIn: number, grantedIn: number): void => {
    const zone = zones.get(buildingId)
    if (zone === undefined) return
    const day = localDate(at, zone)
    const key = `${buildingId}\n${day}\n${door}`
    const d = doorDays.get(key) ?? { buildingId, day, door, countedIn: 0, grantedIn: 0 }
    d.countedIn += countedIn
    d.grantedIn += grantedIn
    doorDays.set(key, d)
  }
  for (const e of batch) {
    if (e.channel === 'event/line') {
      const at = Date.parse(e.payload.ts)
      if (e.payload.in > 0) bump(e.buildingId, at, e.payload.door, e.payload.in, 0)
    } else if (e.channel === 'event/access') {
      const at = Date.parse(e.payload.ts)
      if (e.payload.result === 'granted' && e.payload.direction === 'in') bump(e.buildingId, at, e.payload.door, 0, 1)
      // The reader names the entry it matched, whatever it decided: the holder was at the door with their own credential.
      const id = e.payload.credential.credentialId
      if (id !== undefined && zones.has(e.buildingId)) {
        const key = `${e.buildingId}\n${id}`
        const p = passages.get(key)
        if (p === undefined || p.at < at) passages.set(key, { credentialId: id, buildingId: e.buildingId, at })
      }
    }
  }
  return { doorDays: [...doorDays.values()], passages: [...passages.values()] }
}

const placeholders = (n: number, from = 1): string => Array.from({ length: n }, (_, i) => `$${i + from}`).join(', ')

/** Writes one batch's fold through `q` (the reader's transaction). */
export async function applyBatch (q: Queryable, batch: readonly LogEntry[]): Promise<void> {
  const buildingIds = [...new Set(batch.map((e) => e.buildingId))]
  if (buildingIds.length === 0) return
  const zones = new Map((await q.query<{ id: string; time_zone: string }>(
    `select id, time_zone from buildings where id in (${placeholders(buildingIds.length)})`, buildingIds)).rows.map((r) => [r.id, r.time_zone]))
  const fold = foldBatch(batch, zones)
  for (const d of fold.doorDays) {
    await q.query(
      `insert into kpi_door_days (building_id, day, door, counted_in, granted_in) values ($1, $2, $3, $4, $5)
       on conflict (building_id, day, door) do update
         set counted_in = kpi_door_days.counted_in + excluded.counted_in, granted_in = kpi_door_days.granted_in + excluded.granted_in`,
      [d.buildingId, d.day, d.door, d.countedIn, d.grantedIn])
  }
  if (fold.passages.length === 0) return
  const creds = [...new Set(fold.passages.map((p) => p.credentialId))]
  const owners = new Map((await q.query<{ id: string; building_id: string; registration_id: string }>(
    `select id, building_id, registration_id from credentials
      where registration_id is not null and not visitor and id in (${placeholders(creds.length)})`, creds)).rows.map((r) => [r.id, r]))
  for (const p of fold.passages) {
    const owner = owners.get(p.credentialId)
    // Own credential at the building of its registration only: a card used elsewhere says nothing of the household.
    if (owner === undefined || owner.building_id !== p.buildingId) continue
    await q.query(
      `insert into kpi_own_passages (registration_id, building_id, last_at) values ($1, $2, $3)
       on conflict (registration_id) do update set last_at = greatest(kpi_own_passages.last_at, excluded.last_at)`,
      [owner.registration_id, p.buildingId, new Date(p.at)])
  }
}

/** The reader, following the log from the start (a new platform reads all the log still holds). */
export function kpiLogReader (o: { db: Database; logger: Pick<Logger, 'error' | 'info'>; wakeOn?: (wake: () => void) => () => void; pollMs?: number }): LogReader {
  return new LogReader({
    name: KPI_READER, db: o.db, logger: o.logger, sameTransaction: true,
    handle: async (batch, q) => await applyBatch(q, batch),
    ...(o.wakeOn === undefined ? {} : { wakeOn: o.wakeOn }),
    ...(o.pollMs === undefined ? {} : { pollMs: o.pollMs }),
  })
}
