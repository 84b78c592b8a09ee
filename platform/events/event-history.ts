// Reading the event log: the history of a door, a room or a credential over a
// time range. Movement records are personal data: every read is scoped by
// role and written to the audit log.

import { Errors } from '../errors.ts'
import type { Actor } from '../registry/access.ts'
import { writeAudit } from '../registry/audit-log.ts'
import { loadBuilding, loadRoom, notFoundAs } from '../registry/buildings.ts'
import type { Database } from '../store/database.ts'

export interface LoggedEvent {
  logSeq: number
  deviceId: string
  eventId: string
  channel: string
  door: string | null
  credentialId: string | null
  at: string
  receivedAt: string
  payload: Record<string, unknown>
}

export interface HistoryQuery {
  from: string
  to: string
  limit?: number
  /** Continue after this log position (pagination). */
  afterLogSeq?: number
}

interface Row {
  log_seq: number; device_id: string; event_id: string; channel: string; door: string | null; credential_id: string | null
  at: Date; received_at: Date; payload: Record<string, unknown>
}

const MAX_RANGE_MS = 366 * 86_400_000

const toEvent = (r: Row): LoggedEvent => ({
  logSeq: Number(r.log_seq), deviceId: r.device_id, eventId: r.event_id, channel: r.channel, door: r.door,
  credentialId: r.credential_id, at: r.at.toISOString(), receivedAt: r.received_at.toISOString(), payload: r.payload,
})

export class EventHistory {
  /**
   * @param caughtUp resolves once every event acknowledged so far is in the `events` table (the event log
   * copies them there a moment after the acknowledgement), so a query sees every event acknowledged before it
   */
  constructor (private readonly db: Database, readonly caughtUp: () => Promise<unknown> = async () => {}) {}

  async door (actor: Actor, buildingId: string, door: string, q: HistoryQuery): Promise<LoggedEvent[]> {
    await loadBuilding(this.db, actor, buildingId, 'residents.read')
    await writeAudit(this.db, actor, 'events.door.read', { type: 'door', id: `${buildingId}/${door}` }, { from: q.from, to: q.to })
    return this.select('building_id = $1 and door = $2', [buildingId, door], q)
  }

  async room (actor: Actor, roomId: string, q: HistoryQuery): Promise<LoggedEvent[]> {
    await loadRoom(this.db, actor, roomId, 'residents.read')
    await writeAudit(this.db, actor, 'events.room.read', { type: 'room', id: roomId }, { from: q.from, to: q.to })
    return this.select('credential_id in (select id from credentials where room_id = $1)', [roomId], q)
  }

  async credential (actor: Actor, credentialId: string, q: HistoryQuery): Promise<LoggedEvent[]> {
    const c = await this.db.query<{ building_id: string }>('select building_id from credentials where id = $1', [credentialId])
    const buildingId = c.rows[0]?.building_id
    if (buildingId === undefined) throw new Errors.NotFound(`credential ${credentialId}`)
    await notFoundAs(loadBuilding(this.db, actor, buildingId, 'residents.read'), `credential ${credentialId}`)
    await writeAudit(this.db, actor, 'events.credential.read', { type: 'credential', id: credentialId }, { from: q.from, to: q.to })
    return this.select('credential_id = $1', [credentialId], q)
  }

  private async select (where: string, params: unknown[], q: HistoryQuery): Promise<LoggedEvent[]> {
    const from = Date.parse(q.from)
    const to = Date.parse(q.to)
    if (!(from < to)) throw new Errors.BadRequest('from must be before to')
    if (to - from > MAX_RANGE_MS) throw new Errors.BadRequest('a history query covers at most 366 days')
    const p = [...params, new Date(from), new Date(to), q.afterLogSeq ?? 0, Math.min(q.limit ?? 500, 5000)]
    const n = params.length
    await this.caughtUp()
    const r = await this.db.query<Row>(
      `select log_seq, device_id, event_id, channel, door, credential_id, at, received_at, payload from events
        where ${where} and at >= $${n + 1} and at < $${n + 2} and log_seq > $${n + 3}
        order by log_seq limit $${n + 4}`, p)
    return r.rows.map(toEvent)
  }
}
