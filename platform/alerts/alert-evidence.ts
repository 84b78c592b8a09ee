// GET /alerts/{id}/evidence: the events behind an alert, resolved from its
// `deviceId/eventId` references, with what happened at the same door one
// minute either side, and for conditions what they are about now (the room's
// registrations, the resident's last passage). Movement records are personal
// data: the read is audited (alert.evidence.read) like the other event reads,
// and the timelines through EventHistory.door (events.door.read). Credential
// values are masked.

import type { Evidence, EvidenceEvent } from '../../contract/schemas/alerts.ts'
import type { EventHistory, LoggedEvent } from '../events/event-history.ts'
import { Errors } from '../errors.ts'
import { can, type Actor } from '../registry/access.ts'
import { writeAudit } from '../registry/audit-log.ts'
import type { Database } from '../store/database.ts'
import { SELECT_ALERT } from './alert-store.ts'
import { canSeeAlert, scopeOf, type AlertRow } from './model.ts'
import { maskCredentialValue as maskCredential } from '../../contract/masking.ts'

/** One minute either side of each evidence event. */
export const TIMELINE_SPAN_MS = 60_000
/** Doors with a timeline at most (the evidence of a busy alert spans few doors; this bounds the reads). */
export const TIMELINE_DOORS = 3
const TIMELINE_LIMIT = 200

/** A presented value as the evidence shows it: its last 4 characters, as everywhere else; a PIN is only ever "entered". */
export function maskCredentialValue (value: string): string {
  return value === 'entered' ? value : maskCredential(value)
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : null)

export function toEvidenceEvent (e: LoggedEvent): EvidenceEvent {
  const p = e.payload
  const c = p.credential as { kind?: unknown; value?: unknown; credentialId?: unknown } | undefined
  let direction = str(p.direction)
  let count = int(p.count)
  if (e.channel === 'event/line') {
    const inn = int(p.in) ?? 0
    const out = int(p.out) ?? 0
    direction = inn > 0 && out === 0 ? 'in' : out > 0 && inn === 0 ? 'out' : direction
    count = inn + out
  }
  return {
    ref: `${e.deviceId}/${e.eventId}`,
    deviceId: e.deviceId,
    eventId: e.eventId,
    channel: e.channel,
    at: e.at,
    door: e.door,
    direction,
    result: str(p.result),
    denyReason: str(p.reason),
    doorState: e.channel === 'event/door' ? str(p.state) : null,
    credential: c === undefined || typeof c.kind !== 'string'
      ? null
      : { kind: c.kind, masked: maskCredentialValue(String(c.value ?? '')), credentialId: str(c.credentialId) ?? e.credentialId },
    count,
    snapshotRef: str(p.snapshot),
  }
}

interface EventRow {
  log_seq: number; device_id: string; event_id: string; channel: string; door: string | null; credential_id: string | null
  at: Date; received_at: Date; payload: Record<string, unknown>
}

const toLogged = (r: EventRow): LoggedEvent => ({
  logSeq: Number(r.log_seq), deviceId: r.device_id, eventId: r.event_id, channel: r.channel, door: r.door,
  credentialId: r.credential_id, at: r.at.toISOString(), receivedAt: r.received_at.toISOString(), payload: r.payload,
})

export class AlertEvidence {
  constructor (private readonly db: Database, private readonly history: Pick<EventHistory, 'door'>) {}

  async get (actor: Actor, id: string): Promise<Evidence> {
    const row = (await this.db.query<AlertRow>(`${SELECT_ALERT} where a.id = $1`, [id])).rows[0]
    if (row === undefined || !canSeeAlert(actor, scopeOf(row))) throw new Errors.NotFound(`alert ${id}`)
    // Movement records: whoever may read the building's residents (the same rule as GET .../events).
    if (!can(actor, 'residents.read', { landlord_id: row.landlord_id, area_path: row.area_path })) {
      throw new Errors.Forbidden('the evidence of an alert is movement records: you may not read those of this building')
    }
    await writeAudit(this.db, actor, 'alert.evidence.read', { type: 'alert', id }, { buildingId: row.building_id, refs: row.evidence.length })
    const refs = row.evidence.map((r) => {
      const slash = r.indexOf('/')
      return { ref: r, deviceId: r.slice(0, slash), eventId: r.slice(slash + 1) }
    })
    const found = refs.length === 0 ? [] : (await this.db.query<EventRow>(
      `select e.log_seq, e.device_id, e.event_id, e.channel, e.door, e.credential_id, e.at, e.received_at, e.payload
        from jsonb_to_recordset($1::jsonb) as x (device_id text, event_id text)
        join events e on e.device_id = x.device_id and e.event_id = x.event_id and e.building_id = $2`,
      [JSON.stringify(refs.map((r) => ({ device_id: r.deviceId, event_id: r.eventId }))), row.building_id])).rows.map(toLogged)
    const byRef = new Map(found.map((e) => [`${e.deviceId}/${e.eventId}`, e]))
    const events = refs.flatMap((r) => { const e = byRef.get(r.ref); return e === undefined ? [] : [e] })
    const missing = refs.filter((r) => !byRef.has(r.ref)).map((r) => r.ref)

    // One timeline per door, spanning its evidence events one minute either side.
    const spans = new Map<string, { from: number; to: number }>()
    for (const e of events) {
      if (e.door === null) continue
      const t = Date.parse(e.at)
      const s = spans.get(e.door)
      if (s === undefined) {
        if (spans.size >= TIMELINE_DOORS) continue
        spans.set(e.door, { from: t - TIMELINE_SPAN_MS, to: t + TIMELINE_SPAN_MS })
      } else {
        s.from = Math.min(s.from, t - TIMELINE_SPAN_MS)
        s.to = Math.max(s.to, t + TIMELINE_SPAN_MS)
      }
    }
    if (events.length === 0 && row.door !== null) {
      // No event left (retention), or a condition with a door: the minute either side of the latest occurrence.
      const t = row.last_at.getTime()
      spans.set(row.door, { from: t - TIMELINE_SPAN_MS, to: t + TIMELINE_SPAN_MS })
    }
    const timelines: Evidence['timelines'] = []
    for (const [door, s] of spans) {
      const from = new Date(s.from).toISOString()
      const to = new Date(s.to + 1).toISOString()
      const list = await this.history.door(actor, row.building_id, door, { from, to, limit: TIMELINE_LIMIT })
      timelines.push({ door, from: new Date(s.from).toISOString(), to: new Date(s.to).toISOString(), events: list.map(toEvidenceEvent) })
    }

    let room: Evidence['room'] = null
    if (row.room_id !== null && (row.type === 'overcrowding_registered' || row.type === 'overcrowding_observed')) {
      const r = (await this.db.query<{ capacity: number; active: number }>(
        `select r.capacity, (select count(*)::int from registrations g where g.room_id = r.id and g.status = 'active') as active
          from rooms r where r.id = $1`, [row.room_id])).rows[0]
      if (r !== undefined) room = { roomId: row.room_id, capacity: r.capacity, activeRegistrations: r.active }
    }

    let lastPassage: Evidence['lastPassage'] = null
    if (row.type === 'resident_not_seen' || row.type === 'room_vacant') {
      // The latest granted passage with a credential of the resident (or of the room) in this building.
      const params: unknown[] = [row.building_id]
      let creds: string
      if (row.credential_id !== null) {
        params.push(row.credential_id)
        creds = `e.credential_id = $2`
      } else if (row.resident_id !== null) {
        params.push(row.resident_id)
        creds = `e.credential_id in (select c.id from credentials c join registrations g on g.id = c.registration_id
          where g.resident_id = $2 and c.building_id = $1)`
      } else if (row.room_id !== null) {
        params.push(row.room_id)
        creds = 'e.credential_id in (select c.id from credentials c where c.room_id = $2)'
      } else {
        creds = 'false'
      }
      const r = (await this.db.query<EventRow>(
        `select e.log_seq, e.device_id, e.event_id, e.channel, e.door, e.credential_id, e.at, e.received_at, e.payload
          from events e where e.building_id = $1 and e.channel = 'event/access' and ${creds} and e.payload->>'result' = 'granted'
          order by e.at desc limit 1`, params)).rows[0]
      if (r !== undefined) lastPassage = toEvidenceEvent(toLogged(r))
    }
    return { alertId: id, events: events.map(toEvidenceEvent), missing, timelines, room, lastPassage }
  }
}
