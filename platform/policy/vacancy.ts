// Vacancy (docs/policy.md "Vacancy"): a room with nobody registered and no
// passage with any of its credentials for three months is proposed for
// deregistration from the rental register; a house whose every room is so,
// and whose door cameras saw nobody for as long, is proposed as a whole. The grid worker of the house's grid confirms (the room
// or house is marked withdrawn, in the ledger) or rejects; both audited. A
// registration into the room puts it back on the register (permits.ts).

import type { VacancyProposal, VacancyStatus } from '../../contract/routes/permit-routes.ts'
import { Errors } from '../errors.ts'
import { buildingScope, can, type Actor } from '../registry/access.ts'
import { writeAudit } from '../registry/audit-log.ts'
import { loadBuilding, notFoundAs } from '../registry/buildings.ts'
import { iso, newId, type RegistryContext } from '../registry/context.ts'
import { appendLedger } from '../registry/ledger.ts'
import type { Queryable } from '../store/database.ts'
import { CountingJob, type CountingJobOptions } from './counting-job.ts'

export const VACANT_DAYS = 90
const DAY = 86_400_000

/** What is known of one room for vacancy. Times in ms; null when it never happened. */
export interface RoomFacts {
  roomId: string
  createdAt: number
  /** An active or pending registration. */
  occupied: boolean
  withdrawn: boolean
  lastDepartedAt: number | null
  lastSeenAt: number | null
}

/** Since when the room has stood empty (nobody registered, no passage), or null when it is occupied. */
export function emptySince (r: RoomFacts): number | null {
  if (r.occupied) return null
  return Math.max(r.createdAt, r.lastDepartedAt ?? -Infinity, r.lastSeenAt ?? -Infinity)
}

export interface VacancyTarget { roomId: string | null; vacantSince: number; lastSeenAt: number | null }

/**
 * What to propose in one house at `at`: the whole house when every room on the register has stood empty for
 * `days` (and at least one is on it) and its door cameras saw nobody for as long (`houseSeenAt`, the latest person
 * they saw, null when none), else each such room. Rooms have no cameras: a person seen at the doors cannot be
 * put in a room, so it holds the house on the register and leaves each room to its own evidence. Rooms already
 * withdrawn are left out.
 */
export function vacancyTargets (rooms: readonly RoomFacts[], at: number, days = VACANT_DAYS, houseSeenAt: number | null = null): VacancyTarget[] {
  const open = rooms.filter((r) => !r.withdrawn)
  const empty = open.flatMap((r) => {
    const since = emptySince(r)
    return since !== null && at - since >= days * DAY ? [{ roomId: r.roomId, vacantSince: since, lastSeenAt: r.lastSeenAt }] : []
  })
  if (open.length > 0 && empty.length === open.length && (houseSeenAt === null || at - houseSeenAt >= days * DAY)) {
    const seen = [...empty.map((e) => e.lastSeenAt), houseSeenAt].filter((s): s is number => s !== null)
    const since = Math.max(...empty.map((e) => e.vacantSince), houseSeenAt ?? -Infinity)
    return [{ roomId: null, vacantSince: since, lastSeenAt: seen.length === 0 ? null : Math.max(...seen) }]
  }
  return empty
}

/**
 * The latest time a camera of the house saw someone at one of its doors since `since`: a line crossing that
 * counted people (in or out), or a person detection naming a door. Null when none.
 */
export async function readHouseSeenAt (q: Queryable, buildingId: string, since: Date): Promise<number | null> {
  const r = await q.query<{ at: Date | null }>(
    `select max(e.at) as at from events e
      where e.building_id = $1 and e.door is not null and e.at >= $2
        and ((e.channel = 'event/line' and (coalesce((e.payload->>'in')::int, 0) > 0 or coalesce((e.payload->>'out')::int, 0) > 0))
          or e.channel = 'event/person')`, [buildingId, since])
  const at = r.rows[0]?.at ?? null
  return at === null ? null : new Date(at).getTime()
}

interface ProposalRow {
  id: string; building_id: string; building_name: string; grid_id: string; time_zone: string; room_id: string | null; room_number: string | null
  status: VacancyStatus; vacant_since: Date; last_seen_at: Date | null; proposed_at: Date; decided_at: Date | null
  decided_by: string | null; note: string | null
}

const SELECT = `select v.*, b.name as building_name, b.grid_id, b.time_zone, r.number as room_number
  from vacancy_proposals v join buildings b on b.id = v.building_id left join rooms r on r.id = v.room_id`

const toProposal = (r: ProposalRow): VacancyProposal => ({
  id: r.id, buildingId: r.building_id, buildingName: r.building_name, gridId: r.grid_id, timeZone: r.time_zone, roomId: r.room_id, roomNumber: r.room_number,
  status: r.status, vacantSince: iso(r.vacant_since), lastSeenAt: iso(r.last_seen_at), proposedAt: iso(r.proposed_at),
  decidedAt: iso(r.decided_at), decidedBy: r.decided_by, note: r.note,
})

/** The rooms of one house as vacancy reads them. */
export async function readRoomFacts (q: Queryable, buildingId: string): Promise<RoomFacts[]> {
  const r = await q.query<{ id: string; created_at: Date; withdrawn_at: Date | null; occupied: boolean; last_departed_at: Date | null; last_seen_at: Date | null }>(
    `select r.id, r.created_at, r.withdrawn_at,
            exists (select 1 from registrations g where g.room_id = r.id and g.status in ('active', 'pending')) as occupied,
            (select max(g.departed_at) from registrations g where g.room_id = r.id) as last_departed_at,
            (select max(e.at) from credentials c join events e on e.credential_id = c.id
              where c.room_id = r.id and e.channel = 'event/access') as last_seen_at
       from rooms r where r.building_id = $1 order by r.id`, [buildingId])
  const ms = (d: Date | null): number | null => d === null ? null : new Date(d).getTime()
  return r.rows.map((x) => ({
    roomId: x.id, createdAt: new Date(x.created_at).getTime(), occupied: x.occupied, withdrawn: x.withdrawn_at !== null,
    lastDepartedAt: ms(x.last_departed_at), lastSeenAt: ms(x.last_seen_at),
  }))
}

export class VacancyProposals {
  constructor (private readonly ctx: RegistryContext, private readonly days = VACANT_DAYS) {}

  /** The daily pass: proposes what stands empty, supersedes waiting proposals of what no longer does. */
  async proposeAll (at = this.ctx.now().getTime()): Promise<{ proposed: number; superseded: number }> {
    const b = await this.ctx.db.query<{ id: string }>('select id from buildings where removed_at is null and withdrawn_at is null order by id')
    let proposed = 0
    let superseded = 0
    for (const { id } of b.rows) {
      const n = await this.ctx.db.transaction(async (tx) => {
        await tx.query('select id from buildings where id = $1 for update', [id])
        const rooms = await readRoomFacts(tx, id)
        let targets = vacancyTargets(rooms, at, this.days)
        // The whole house by its rooms: the door cameras may still have seen someone since (read only then).
        const house = targets.length === 1 && targets[0]!.roomId === null ? targets[0]! : undefined
        if (house !== undefined) targets = vacancyTargets(rooms, at, this.days, await readHouseSeenAt(tx, id, new Date(house.vacantSince)))
        const key = (room: string | null): string => room ?? ''
        const wanted = new Map(targets.map((t) => [key(t.roomId), t]))
        const waiting = await tx.query<{ id: string; room_id: string | null }>(`select id, room_id from vacancy_proposals where building_id = $1 and status = 'proposed'`, [id])
        let gone = 0
        for (const w of waiting.rows) {
          if (wanted.delete(key(w.room_id))) continue
          await tx.query(`update vacancy_proposals set status = 'superseded', decided_at = $2 where id = $1`, [w.id, new Date(at)])
          gone++
        }
        // A rejection stands for another vacancy period before the same room (house) is proposed again.
        const rejected = await tx.query<{ room_id: string | null }>(
          `select room_id from vacancy_proposals where building_id = $1 and status = 'rejected' and decided_at > $2`, [id, new Date(at - this.days * DAY)])
        for (const r of rejected.rows) wanted.delete(key(r.room_id))
        for (const t of wanted.values()) {
          await tx.query(
            `insert into vacancy_proposals (id, building_id, room_id, vacant_since, last_seen_at, proposed_at) values ($1, $2, $3, $4, $5, $6)`,
            [newId('vp'), id, t.roomId, new Date(t.vacantSince), t.lastSeenAt === null ? null : new Date(t.lastSeenAt), new Date(at)])
        }
        return { made: wanted.size, gone }
      })
      proposed += n.made
      superseded += n.gone
    }
    return { proposed, superseded }
  }

  /** Proposals of the houses in the actor's scope; `proposed` unless asked otherwise. */
  async list (actor: Actor, o: { status?: VacancyStatus; buildingId?: string } = {}): Promise<VacancyProposal[]> {
    const params: unknown[] = []
    let where = `b.removed_at is null and ${buildingScope(actor, 'residents.read', 'b', params)}`
    params.push(o.status ?? 'proposed')
    where += ` and v.status = $${params.length}`
    if (o.buildingId !== undefined) {
      params.push(o.buildingId)
      where += ` and v.building_id = $${params.length}`
    }
    const r = await this.ctx.db.query<ProposalRow>(`${SELECT} where ${where} order by v.vacant_since, v.id limit 500`, params)
    return r.rows.map(toProposal)
  }

  async confirm (actor: Actor, id: string, note: string | undefined): Promise<VacancyProposal> {
    return await this.decide(actor, id, 'confirmed', note ?? null)
  }

  async reject (actor: Actor, id: string, note: string): Promise<VacancyProposal> {
    return await this.decide(actor, id, 'rejected', note)
  }

  private async decide (actor: Actor, id: string, status: 'confirmed' | 'rejected', note: string | null): Promise<VacancyProposal> {
    const found = await this.ctx.db.query<ProposalRow>(`${SELECT} where v.id = $1`, [id])
    const p = found.rows[0]
    if (p === undefined) throw new Errors.NotFound(`vacancy proposal ${id}`)
    const building = await notFoundAs(loadBuilding(this.ctx.db, actor, p.building_id, 'residents.read'), `vacancy proposal ${id}`)
    // The grid worker of the house's grid decides (an administrator may stand in).
    if (!(actor.role === 'admin' || (actor.role === 'grid_worker' && can(actor, 'residents.write', building)))) {
      throw new Errors.Forbidden('the grid worker of the house\'s grid confirms or rejects a vacancy')
    }
    const now = this.ctx.now()
    await this.ctx.db.transaction(async (tx) => {
      await tx.query('select id from buildings where id = $1 for update', [p.building_id])
      const r = await tx.query(
        `update vacancy_proposals set status = $2, decided_at = $3, decided_by = $4, note = $5 where id = $1 and status = 'proposed' returning id`,
        [id, status, now, actor.id, note])
      if (r.rows.length === 0) throw new Errors.IllegalTransition(`vacancy proposal ${id} is ${p.status}, not waiting for a decision`)
      if (status === 'confirmed') {
        const occupied = await tx.query(
          `select 1 from registrations where building_id = $1 and ($2::text is null or room_id = $2) and status in ('active', 'pending') limit 1`,
          [p.building_id, p.room_id])
        if (occupied.rows.length > 0) throw new Errors.IllegalTransition(`someone is registered in ${p.room_id ?? p.building_id} now: it is not vacant`)
        if (p.room_id === null) {
          await tx.query('update buildings set withdrawn_at = $2 where id = $1', [p.building_id, now])
          await tx.query('update rooms set withdrawn_at = $2 where building_id = $1 and withdrawn_at is null', [p.building_id, now])
          await appendLedger(tx, actor, 'building.withdrawn', { buildingId: p.building_id }, { vacancyProposalId: id, vacantSince: iso(p.vacant_since) })
          // Room proposals of the house are settled by the house's.
          await tx.query(`update vacancy_proposals set status = 'superseded', decided_at = $2 where building_id = $1 and status = 'proposed'`, [p.building_id, now])
        } else {
          await tx.query('update rooms set withdrawn_at = $2 where id = $1', [p.room_id, now])
          await appendLedger(tx, actor, 'room.withdrawn', { buildingId: p.building_id, roomId: p.room_id }, { vacancyProposalId: id, vacantSince: iso(p.vacant_since) })
        }
      }
      await writeAudit(tx, actor, `vacancy.${status}`, { type: p.room_id === null ? 'building' : 'room', id: p.room_id ?? p.building_id }, { proposalId: id, note })
    })
    if (status === 'confirmed') this.ctx.events.emit('registryChanged', { kind: 'room', buildingId: p.building_id, id: p.room_id ?? p.building_id })
    const r = await this.ctx.db.query<ProposalRow>(`${SELECT} where v.id = $1`, [id])
    return toProposal(r.rows[0]!)
  }
}

/** The daily job that proposes vacancies. */
export const vacancyJob = (vacancy: VacancyProposals, o: CountingJobOptions): CountingJob<{ proposed: number; superseded: number }> => new CountingJob({
  name: 'vacancy proposals', run: () => vacancy.proposeAll(), done: 'vacant rooms and houses proposed for deregistration',
  intervalMs: 86_400_000, firstRunDelayMs: 900_000,
}, o)
