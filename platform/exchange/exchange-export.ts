// Export of buildings, rooms, registrations and residents to other
// departments, in the import's columns (exchange-columns.ts), as CSV, XLSX or
// JSON. Administrators export everything, police their jurisdiction; others
// are refused. ID numbers are masked; whole only for a role that may read
// them in every building exported (national_id.reveal: police of the area,
// administrators), with a stated reason. Every export is written to the audit
// log as a read of personal data (what, where, how many rows, masked or whole).

import type { ExchangeDataset, ExportFile, ExportQuery } from '../../contract/routes/exchange-routes.ts'
import { Errors } from '../errors.ts'
import { birthDecade } from '../privacy/mask.ts'
import { buildingScope, can, type Actor } from '../registry/access.ts'
import { writeAudit } from '../registry/audit-log.ts'
import { loadBuilding, type BuildingRow } from '../registry/buildings.ts'
import type { RegistryContext } from '../registry/context.ts'
import { localDate } from '../registry/time-zones.ts'
import { EXCHANGE_COLUMNS } from './exchange-columns.ts'

type Value = string | number | null
type Record_ = Record<string, Value>

/** Police and administrators; the buildings of the scope asked for, inside the actor's. Shared with access-records.ts. */
export async function scopedBuildings (ctx: RegistryContext, actor: Actor, scope: { areaId?: string; buildingId?: string }): Promise<BuildingRow[]> {
  if (actor.role !== 'admin' && actor.role !== 'police' && actor.role !== 'grid_worker') {
    throw new Errors.Forbidden('data exchange is for police and administrators')
  }
  if (scope.buildingId !== undefined) return [await loadBuilding(ctx.db, actor, scope.buildingId, 'residents.read')]
  const params: unknown[] = []
  const where = [buildingScope(actor, 'residents.read', 'b', params), 'b.removed_at is null']
  if (scope.areaId !== undefined) {
    const a = await ctx.db.query<{ path: string }>('select path from areas where id = $1', [scope.areaId])
    const path = a.rows[0]?.path
    // An area outside the jurisdiction is as unknown as one that does not exist.
    if (path === undefined || (actor.role !== 'admin' && (actor.areaPath === undefined || !(path.startsWith(actor.areaPath) || actor.areaPath.startsWith(path))))) {
      throw new Errors.NotFound(`area ${scope.areaId}`)
    }
    params.push(path)
    where.push(`left(b.area_path, length($${params.length}::text)) = $${params.length}::text`)
  }
  const r = await ctx.db.query<BuildingRow>(`select b.* from buildings b where ${where.join(' and ')} order by b.id`, params)
  return r.rows
}

export async function exportDataset (ctx: RegistryContext, actor: Actor, dataset: ExchangeDataset, q: ExportQuery): Promise<ExportFile> {
  if (actor.role === 'grid_worker') throw new Errors.Forbidden('data exchange is for police and administrators')
  const buildings = await scopedBuildings(ctx, actor, q)
  const whole = q.idNumbers === 'whole'
  if (whole) {
    if (q.reason === undefined || q.reason.trim().length < 4) throw new Errors.BadRequest('state why you need the numbers in full (reason, at least 4 characters)')
    if (!buildings.every((b) => can(actor, 'national_id.reveal', b))) throw new Errors.Forbidden('whole ID numbers need the police or administrator role for the jurisdiction')
  }
  const ids = buildings.map((b) => b.id)
  const zone = new Map(buildings.map((b) => [b.id, b.time_zone]))
  const rows = await READERS[dataset](ctx, ids, zone, whole)
  const format = q.format ?? 'json'
  await writeAudit(ctx.db, actor, 'exchange.exported', { type: 'dataset', id: dataset }, {
    format, areaId: q.areaId ?? null, buildingId: q.buildingId ?? null, buildings: ids.length, returned: rows.length,
    idNumbers: whole ? 'whole' : 'masked', ...(whole ? { reason: q.reason } : {}),
  })
  return { dataset, exportedAt: ctx.now().toISOString(), idNumbers: whole ? 'whole' : 'masked', columns: EXCHANGE_COLUMNS[dataset].map((c) => c.key), rows }
}

/** The export as the rows of a file: a header row of keys, then the values. */
export function exportRows (file: ExportFile): Value[][] {
  return [file.columns, ...file.rows.map((r) => file.columns.map((k) => r[k] ?? null))]
}

type Reader = (ctx: RegistryContext, ids: string[], zone: Map<string, string>, whole: boolean) => Promise<Record_[]>

const idNumber = (ctx: RegistryContext, whole: boolean, p: { id_masked: string; id_cipher: string; erased_at: Date | null }): string =>
  whole && p.erased_at === null && p.id_cipher !== '' ? ctx.vault.decrypt(p.id_cipher) : p.id_masked

const READERS: Record<ExchangeDataset, Reader> = {
  async buildings (ctx, ids) {
    const r = await ctx.db.query<{
      id: string; name: string; address: string; grid_id: string; landlord: string | null; time_zone: string; area_path: string; grade: string
      responsibility_signed_at: Date | null; rooms: number
    }>(
      `select b.id, b.name, b.address, b.grid_id, u.username as landlord, b.time_zone, b.area_path, b.grade, b.responsibility_signed_at,
              (select count(*)::int from rooms r where r.building_id = b.id) as rooms
         from buildings b left join users u on u.id = b.landlord_id where b.id = any($1) order by b.id`, [ids])
    return r.rows.map((b) => ({
      buildingId: b.id, name: b.name, address: b.address, gridId: b.grid_id, landlord: b.landlord, timeZone: b.time_zone, areaPath: b.area_path,
      grade: b.grade, responsibilitySigned: b.responsibility_signed_at === null ? null : localDate(new Date(b.responsibility_signed_at).getTime(), b.time_zone),
      rooms: b.rooms,
    }))
  },
  async rooms (ctx, ids) {
    const r = await ctx.db.query<{ building_id: string; number: string; capacity: number; id: string }>(
      'select building_id, number, capacity, id from rooms where building_id = any($1) order by building_id, number', [ids])
    return r.rows.map((x) => ({ buildingId: x.building_id, number: x.number, capacity: x.capacity, roomId: x.id }))
  },
  async registrations (ctx, ids, zone, whole) {
    const r = await ctx.db.query<StayRow>(`${SELECT_STAYS} order by g.building_id, r.number, g.arrived_at, g.id`, [ids])
    return r.rows.map((x) => ({
      buildingId: x.building_id, room: x.number, name: x.name, idType: x.id_type, idNumber: idNumber(ctx, whole, x), sex: x.sex, phone: x.phone,
      arrivedAt: localDate(new Date(x.arrived_at).getTime(), zone.get(x.building_id) ?? 'Asia/Shanghai'),
      leaseUntil: x.lease_until, permitValidUntil: x.permit_valid_until, minors: x.minors, card: null,
      registrationId: x.id, residentId: x.resident_id, status: x.status,
    }))
  },
  async residents (ctx, ids, zone, whole) {
    const r = await ctx.db.query<StayRow>(`${SELECT_STAYS} and g.status = 'active' order by p.id`, [ids])
    return r.rows.map((x) => ({
      residentId: x.resident_id, idType: x.id_type, idNumber: idNumber(ctx, whole, x), name: x.name, sex: x.sex, birthDecade: birthDecade(x.birth_date),
      buildingId: x.building_id, room: x.number, registrationId: x.id,
      arrivedAt: localDate(new Date(x.arrived_at).getTime(), zone.get(x.building_id) ?? 'Asia/Shanghai'),
    }))
  },
}

interface StayRow {
  id: string; building_id: string; number: string; resident_id: string; name: string; id_type: string; id_masked: string; id_cipher: string
  erased_at: Date | null; sex: string | null; birth_date: string | null; phone: string | null; arrived_at: Date; lease_until: string | null
  permit_valid_until: string | null; minors: number; status: string
}

/** Stays running now (active, or pending a move) in the buildings $1, with the person as entered for the stay. */
const SELECT_STAYS = `select g.id, g.building_id, r.number, g.resident_id, coalesce(d.name, p.name) as name, p.id_type, p.id_masked, p.id_cipher, p.erased_at,
         p.sex, p.birth_date::text as birth_date, d.phone, g.arrived_at, g.lease_until::text as lease_until,
         g.permit_valid_until::text as permit_valid_until, g.minors, g.status
    from registrations g join rooms r on r.id = g.room_id join residents p on p.id = g.resident_id
    left join registration_details d on d.registration_id = g.id
   where g.building_id = any($1) and g.status in ('active', 'pending')`
