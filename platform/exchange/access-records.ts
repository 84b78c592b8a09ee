// Access events as the records police platforms take: who opened (the
// holder of the registered credential the reader matched, masked by role),
// the house they are registered in by it, when (device time, and local time
// in the building's zone) and how (card, IC card, QR, PIN, face; reader,
// door, direction, result). For an area or a building and a time range,
// paginated by log position; every read is written to the audit log.
// Police and administrators see the holder's name, grid workers a masked
// name; the ID number is always masked (the audited reveal route gives it).

import type { AccessRecord, AccessRecordPage, AccessRecordsQuery } from '../../contract/routes/exchange-routes.ts'
import type { CredentialKind, IdType } from '../../contract/vocabulary.ts'
import { Errors } from '../errors.ts'
import { maskName } from '../privacy/mask.ts'
import { maskValue } from '../pipeline/rules/rule.ts'
import type { Actor } from '../registry/access.ts'
import { writeAudit } from '../registry/audit-log.ts'
import type { RegistryContext } from '../registry/context.ts'
import { scopedBuildings } from './exchange-export.ts'

const MAX_RANGE_MS = 366 * 86_400_000

export interface AccessRow {
  log_seq: string | number; device_id: string; building_id: string; door: string | null; at: Date
  payload: { direction?: 'in' | 'out'; result?: 'granted' | 'denied'; reason?: string; credential?: { kind?: CredentialKind; value?: string } }
  address: string; time_zone: string; visitor: boolean | null; resident_id: string | null; name: string | null; id_type: IdType | null; id_masked: string | null
  reg_building_id: string | null; room_id: string | null; room_number: string | null; reg_address: string | null
}

/** YYYY-MM-DD HH:mm:ss in the zone. */
export function localTime (at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
    .format(at)
}

/** One logged access event as a record, the holder's name as `role` may see it. Pure. */
export function toAccessRecord (r: AccessRow, role: Actor['role']): AccessRecord {
  const c = r.payload.credential ?? {}
  const kind = c.kind ?? 'card'
  const fullName = role === 'admin' || role === 'police'
  return {
    logSeq: Number(r.log_seq),
    at: new Date(r.at).toISOString(),
    localTime: localTime(new Date(r.at), r.time_zone),
    buildingId: r.building_id, buildingAddress: r.address, door: r.door ?? '', readerId: r.device_id,
    direction: r.payload.direction ?? 'in', method: kind, result: r.payload.result ?? 'denied', denyReason: r.payload.reason ?? null,
    credentialMasked: kind === 'pin' || kind === 'face' || c.value === undefined ? null : maskValue(c.value),
    visitor: r.visitor === true,
    person: r.resident_id === null ? null : {
      residentId: r.resident_id, name: fullName ? r.name ?? '' : maskName(r.name ?? ''), idType: r.id_type ?? 'resident_id', idNumberMasked: r.id_masked ?? '',
    },
    registeredAt: r.room_id === null ? null : { buildingId: r.reg_building_id ?? '', roomId: r.room_id, roomNumber: r.room_number ?? '', address: r.reg_address ?? '' },
  }
}

export class AccessRecords {
  /** `caughtUp`: resolves once every acknowledged event is in the events table (EventHistory.caughtUp). */
  constructor (private readonly ctx: RegistryContext, private readonly caughtUp: () => Promise<unknown>) {}

  async list (actor: Actor, q: AccessRecordsQuery): Promise<AccessRecordPage> {
    if (q.areaId === undefined && q.buildingId === undefined) throw new Errors.BadRequest('give an areaId or a buildingId')
    const from = Date.parse(q.from)
    const to = Date.parse(q.to)
    if (!(from < to)) throw new Errors.BadRequest('from must be before to')
    if (to - from > MAX_RANGE_MS) throw new Errors.BadRequest('a query covers at most 366 days')
    const buildings = await scopedBuildings(this.ctx, actor, q)
    const limit = Math.min(q.limit ?? 500, 5000)
    await this.caughtUp()
    const r = await this.ctx.db.query<AccessRow>(
      `select e.log_seq, e.device_id, e.building_id, e.door, e.at, e.payload, b.address, b.time_zone,
              c.visitor, g.resident_id, coalesce(d.name, p.name) as name, p.id_type, p.id_masked,
              g.building_id as reg_building_id, g.room_id, rr.number as room_number, rb.address as reg_address
         from events e join buildings b on b.id = e.building_id
         left join credentials c on c.id = e.credential_id
         left join registrations g on g.id = c.registration_id
         left join rooms rr on rr.id = g.room_id
         left join buildings rb on rb.id = g.building_id
         left join residents p on p.id = g.resident_id
         left join registration_details d on d.registration_id = g.id
        where e.channel = 'event/access' and e.building_id = any($1) and e.at >= $2 and e.at < $3 and e.log_seq > $4
        order by e.log_seq limit $5`,
      [buildings.map((b) => b.id), new Date(from), new Date(to), q.afterLogSeq ?? 0, limit + 1])
    const more = r.rows.length > limit
    const items = r.rows.slice(0, limit).map((row) => toAccessRecord(row, actor.role))
    // Who went through which door when: a read of movement, audited once per page.
    await writeAudit(this.ctx.db, actor, 'access_records.read', q.buildingId === undefined ? { type: 'area', id: q.areaId! } : { type: 'building', id: q.buildingId },
      { from: q.from, to: q.to, afterLogSeq: q.afterLogSeq ?? 0, returned: items.length })
    return { items, nextAfterLogSeq: more ? items[items.length - 1]!.logSeq : null }
  }
}

export const ACCESS_RECORD_COLUMNS = [
  'logSeq', 'at', 'localTime', 'buildingId', 'buildingAddress', 'door', 'readerId', 'direction', 'method', 'result', 'denyReason', 'credentialMasked',
  'visitor', 'residentId', 'name', 'idType', 'idNumberMasked', 'registeredBuildingId', 'registeredRoom', 'registeredAddress',
] as const

/** The records as the rows of a CSV file (a header row of keys). */
export function accessRecordRows (items: readonly AccessRecord[]): Array<Array<string | number | null>> {
  return [[...ACCESS_RECORD_COLUMNS], ...items.map((x) => [
    x.logSeq, x.at, x.localTime, x.buildingId, x.buildingAddress, x.door, x.readerId, x.direction, x.method, x.result, x.denyReason, x.credentialMasked,
    x.visitor ? 'yes' : 'no', x.person?.residentId ?? null, x.person?.name ?? null, x.person?.idType ?? null, x.person?.idNumberMasked ?? null,
    x.registeredAt?.buildingId ?? null, x.registeredAt?.roomNumber ?? null, x.registeredAt?.address ?? null,
  ])]
}
