// Monthly reconciliation (docs/policy.md "Monthly reconciliation"): once a
// month (in each building's time zone) every building's records to check go
// on two lists, its landlord's and its grid's: stays whose permit ended,
// residents the doors have not seen, rooms nobody is registered in. The
// landlord and the grid worker each go through their list item by item
// (confirmed / corrected, with a note) and sign it off as a whole; the
// sign-off goes in the registry ledger of every building on the list and in
// the audit log. The share reconciled (items on signed-off lists / items
// listed, per area) is a KPI: `reconciledShare` and `readReconciledShare`.

import type {
  ReconciledShare, Reconciliation, ReconciliationItem, ReconciliationScope, ReconciliationSummary,
} from '../../contract/routes/permit-routes.ts'
import { Errors } from '../errors.ts'
import { maskName } from '../privacy/mask.ts'
import type { Actor } from '../registry/access.ts'
import { writeAudit } from '../registry/audit-log.ts'
import { iso, newId, type RegistryContext } from '../registry/context.ts'
import { appendLedger } from '../registry/ledger.ts'
import type { Queryable } from '../store/database.ts'
import { CountingJob, type CountingJobOptions } from './counting-job.ts'
import { monthOf, permitEndsAt } from './permit-rules.ts'
import { emptySince, readRoomFacts } from './vacancy.ts'

/** The KPI: the share of listed items that are on a signed-off list, 0..1; null when nothing was listed. */
export function reconciledShare (counts: { listed: number; signedOff: number }): number | null {
  return counts.listed === 0 ? null : counts.signedOff / counts.listed
}

/**
 * The counts behind the KPI for the buildings inside an area (its path, `/d/s/c/g/`) in one month: the items on
 * that month's lists (landlords' and grids') and those on a list signed off. For the KPI job to call.
 */
export async function readReconciledShare (q: Queryable, areaPath: string, month: string): Promise<{ listed: number; signedOff: number }> {
  const r = await q.query<{ listed: number; signed_off: number }>(
    `select count(*)::int as listed, count(*) filter (where c.signed_off_at is not null)::int as signed_off
       from reconciliation_items i join reconciliations c on c.id = i.reconciliation_id join buildings b on b.id = i.building_id
      where c.month = $1 and b.area_path like $2`, [month, `${areaPath.replace(/[\\%_]/g, '\\$&')}%`])
  return { listed: r.rows[0]!.listed, signedOff: r.rows[0]!.signed_off }
}

interface ListRow {
  id: string; month: string; scope: ReconciliationScope; scope_id: string; created_at: Date; signed_off_at: Date | null
  signed_off_by: string | null; grid_path: string | null; scope_name: string; items: number; decided: number
}

const SELECT_LIST = `select c.*, a.path as grid_path, coalesce(a.name, u.display_name, c.scope_id) as scope_name,
    (select count(*)::int from reconciliation_items i where i.reconciliation_id = c.id) as items,
    (select count(*)::int from reconciliation_items i where i.reconciliation_id = c.id and i.outcome is not null) as decided
  from reconciliations c left join areas a on c.scope = 'grid' and a.id = c.scope_id
  left join users u on c.scope = 'landlord' and u.id = c.scope_id`

const toSummary = (r: ListRow): ReconciliationSummary => ({
  id: r.id, month: r.month, scope: r.scope, scopeId: r.scope_id, scopeName: r.scope_name, createdAt: iso(r.created_at), items: r.items, decided: r.decided,
  signedOffAt: iso(r.signed_off_at), signedOffBy: r.signed_off_by,
})

type ItemKind = ReconciliationItem['kind']
interface NewItem { kind: ItemKind; roomId: string; registrationId: string | null; since: string | null }

export class Reconciliations {
  constructor (private readonly ctx: RegistryContext) {}

  /** The daily pass: lists each building once a month, the first pass of the month in its time zone. */
  async listAll (at = this.ctx.now().getTime()): Promise<{ listed: number; items: number }> {
    const b = await this.ctx.db.query<{ id: string; landlord_id: string | null; grid_id: string; time_zone: string }>(
      'select id, landlord_id, grid_id, time_zone from buildings where removed_at is null and withdrawn_at is null order by id')
    let listed = 0
    let items = 0
    for (const building of b.rows) {
      const month = monthOf(at, building.time_zone)
      const n = await this.ctx.db.transaction(async (tx) => {
        const claim = await tx.query(
          'insert into reconciliation_listings (month, building_id, listed_at) values ($1, $2, $3) on conflict do nothing returning month',
          [month, building.id, new Date(at)])
        if (claim.rows.length === 0) return null
        const found = await this.itemsOf(tx, building.id, at)
        const lists = [['grid', building.grid_id], ...(building.landlord_id === null ? [] : [['landlord', building.landlord_id]])] as const
        for (const [scope, scopeId] of lists) {
          await tx.query(
            `insert into reconciliations (id, month, scope, scope_id, created_at) values ($1, $2, $3, $4, $5) on conflict (month, scope, scope_id) do nothing`,
            [newId('rc'), month, scope, scopeId, new Date(at)])
          const list = await tx.query<{ id: string; signed_off_at: Date | null }>(
            'select id, signed_off_at from reconciliations where month = $1 and scope = $2 and scope_id = $3', [month, scope, scopeId])
          // A list signed off is closed: a building listed later that month waits for next month's.
          if (list.rows[0]!.signed_off_at !== null) continue
          for (const it of found) {
            await tx.query(
              `insert into reconciliation_items (id, reconciliation_id, kind, building_id, room_id, registration_id, since) values ($1, $2, $3, $4, $5, $6, $7)`,
              [newId('ri'), list.rows[0]!.id, it.kind, building.id, it.roomId, it.registrationId, it.since])
          }
        }
        return found.length
      })
      if (n !== null) {
        listed++
        items += n
      }
    }
    return { listed, items }
  }

  /** The lists the actor reconciles or oversees: a landlord's own, the grids inside a grid worker's or police area. */
  async list (actor: Actor, o: { month?: string; scope?: ReconciliationScope } = {}): Promise<ReconciliationSummary[]> {
    const params: unknown[] = []
    const where = [this.visible(actor, params)]
    if (o.month !== undefined) { params.push(o.month); where.push(`c.month = $${params.length}`) }
    if (o.scope !== undefined) { params.push(o.scope); where.push(`c.scope = $${params.length}`) }
    const r = await this.ctx.db.query<ListRow>(`${SELECT_LIST} where ${where.join(' and ')} order by c.month desc, c.scope, c.scope_id limit 500`, params)
    return r.rows.map(toSummary)
  }

  /** One list with its items (residents' names masked); the read is audited. */
  async get (actor: Actor, id: string): Promise<Reconciliation> {
    const list = await this.load(this.ctx.db, actor, id)
    const r = await this.ctx.db.query<{
      id: string; kind: ItemKind; building_id: string; building_name: string; time_zone: string; room_id: string; room_number: string; registration_id: string | null
      name: string | null; since: string | null; outcome: ReconciliationItem['outcome']; note: string | null; decided_at: Date | null; decided_by: string | null
    }>(
      `select i.*, b.name as building_name, b.time_zone, r.number as room_number,
              (select coalesce(d.name, p.name) from registrations g join residents p on p.id = g.resident_id
                 left join registration_details d on d.registration_id = g.id where g.id = i.registration_id) as name
         from reconciliation_items i join buildings b on b.id = i.building_id join rooms r on r.id = i.room_id
        where i.reconciliation_id = $1 order by b.name, i.building_id, r.number, i.kind, i.id`, [id])
    await writeAudit(this.ctx.db, actor, 'reconciliation.read', { type: 'reconciliation', id }, { returned: r.rows.length })
    return {
      ...toSummary(list),
      list: r.rows.map((i) => ({
        id: i.id, kind: i.kind, buildingId: i.building_id, buildingName: i.building_name, timeZone: i.time_zone, roomId: i.room_id, roomNumber: i.room_number,
        registrationId: i.registration_id, nameMasked: i.name === null ? null : maskName(i.name), since: i.since,
        outcome: i.outcome, note: i.note, decidedAt: iso(i.decided_at), decidedBy: i.decided_by,
      })),
    }
  }

  /** One item confirmed, or corrected with a note saying what was done; again as often as needed until the sign-off. */
  async decideItem (actor: Actor, id: string, itemId: string, input: { outcome: 'confirmed' | 'corrected'; note?: string }): Promise<ReconciliationItem> {
    if (input.outcome === 'corrected' && input.note === undefined) throw new Errors.BadRequest('say in a note what was corrected')
    await this.ctx.db.transaction(async (tx) => {
      const list = await this.loadOwned(tx, actor, id)
      const r = await tx.query(
        'update reconciliation_items set outcome = $3, note = $4, decided_at = $5, decided_by = $6 where id = $1 and reconciliation_id = $2 returning id',
        [itemId, list.id, input.outcome, input.note ?? null, this.ctx.now(), actor.id])
      if (r.rows.length === 0) throw new Errors.NotFound(`item ${itemId} of reconciliation ${id}`)
      await writeAudit(tx, actor, 'reconciliation.item_decided', { type: 'reconciliation', id }, { itemId, outcome: input.outcome })
    })
    return (await this.get(actor, id)).list.find((i) => i.id === itemId)!
  }

  /** Signs the list off once every item is decided: in the ledger of each building on it, and the audit log. */
  async signOff (actor: Actor, id: string): Promise<ReconciliationSummary> {
    await this.ctx.db.transaction(async (tx) => {
      const list = await this.loadOwned(tx, actor, id)
      if (list.items > list.decided) throw new Errors.Conflict(`${list.items - list.decided} of ${list.items} items are not yet confirmed or corrected`)
      const now = this.ctx.now()
      await tx.query('update reconciliations set signed_off_at = $2, signed_off_by = $3 where id = $1', [id, now, actor.id])
      const per = await tx.query<{ building_id: string; items: number; corrected: number }>(
        `select building_id, count(*)::int as items, count(*) filter (where outcome = 'corrected')::int as corrected
           from reconciliation_items where reconciliation_id = $1 group by building_id order by building_id`, [id])
      for (const b of per.rows) {
        await appendLedger(tx, actor, 'reconciliation.signed_off', { buildingId: b.building_id },
          { reconciliationId: id, month: list.month, scope: list.scope, items: b.items, corrected: b.corrected })
      }
      await writeAudit(tx, actor, 'reconciliation.signed_off', { type: 'reconciliation', id }, { month: list.month, scope: list.scope, items: list.items })
    })
    return toSummary(await this.load(this.ctx.db, actor, id))
  }

  /** The KPI for one area and month, for police, grid workers (within their area) and administrators. */
  async share (actor: Actor, areaId: string, month: string): Promise<ReconciledShare> {
    if (actor.role === 'landlord' || actor.role === 'vendor') throw new Errors.Forbidden('the share reconciled is shown to grid workers, police and administrators')
    const a = await this.ctx.db.query<{ path: string }>('select path from areas where id = $1', [areaId])
    const path = a.rows[0]?.path
    if (path === undefined || (actor.role !== 'admin' && !path.startsWith(actor.areaPath ?? '\u0000'))) throw new Errors.NotFound(`area ${areaId}`)
    const counts = await readReconciledShare(this.ctx.db, path, month)
    return { areaId, month, ...counts, share: reconciledShare(counts) }
  }

  // ---------------------------------------------------------------- internals

  /** What one building's lists hold at `at`. */
  private async itemsOf (q: Queryable, buildingId: string, at: number): Promise<NewItem[]> {
    const expired = await q.query<{ id: string; room_id: string; permit_valid_until: string; time_zone: string }>(
      `select g.id, g.room_id, g.permit_valid_until::text as permit_valid_until, b.time_zone
         from registrations g join buildings b on b.id = g.building_id
        where g.building_id = $1 and g.status = 'active' and g.permit_valid_until is not null order by g.id`, [buildingId])
    const notSeen = await q.query<{ id: string; room_id: string; created_at: Date }>(
      `select distinct on (g.id) g.id, g.room_id, a.created_at from alerts a
         join registrations g on g.resident_id = a.resident_id and g.building_id = a.building_id and g.status = 'active'
        where a.building_id = $1 and a.type = 'resident_not_seen' and a.status <> 'resolved' order by g.id, a.created_at`, [buildingId])
    const rooms = await readRoomFacts(q, buildingId)
    return [
      ...expired.rows.filter((g) => permitEndsAt(g.permit_valid_until, g.time_zone) <= at)
        .map((g): NewItem => ({ kind: 'permit_expired', roomId: g.room_id, registrationId: g.id, since: g.permit_valid_until })),
      ...notSeen.rows.map((g): NewItem => ({ kind: 'not_seen', roomId: g.room_id, registrationId: g.id, since: iso(g.created_at) })),
      ...rooms.flatMap((r): NewItem[] => {
        const since = emptySince(r)
        return r.withdrawn || since === null ? [] : [{ kind: 'vacant_room', roomId: r.roomId, registrationId: null, since: new Date(since).toISOString() }]
      }),
    ]
  }

  /** The SQL condition of the lists the actor may see. */
  private visible (actor: Actor, params: unknown[]): string {
    if (actor.role === 'admin') return 'true'
    if (actor.role === 'landlord') {
      params.push(actor.id)
      return `c.scope = 'landlord' and c.scope_id = $${params.length}`
    }
    if ((actor.role === 'grid_worker' || actor.role === 'police') && actor.areaPath !== undefined) {
      params.push(`${actor.areaPath.replace(/[\\%_]/g, '\\$&')}%`)
      return `c.scope = 'grid' and a.path like $${params.length}`
    }
    return 'false'
  }

  private async load (q: Queryable, actor: Actor, id: string): Promise<ListRow> {
    const params: unknown[] = [id]
    const r = await q.query<ListRow>(`${SELECT_LIST} where c.id = $1 and ${this.visible(actor, params)}`, params)
    const list = r.rows[0]
    if (list === undefined) throw new Errors.NotFound(`reconciliation ${id}`)
    return list
  }

  /** The list, locked, if the actor is the one who reconciles it and it is still open. */
  private async loadOwned (tx: Queryable, actor: Actor, id: string): Promise<ListRow> {
    await tx.query('select id from reconciliations where id = $1 for update', [id])
    const list = await this.load(tx, actor, id)
    const owner = list.scope === 'landlord' ? actor.role === 'landlord' : actor.role === 'grid_worker'
    if (!owner) throw new Errors.Forbidden(list.scope === 'landlord' ? 'the landlord reconciles their own list' : 'the grid worker of the grid reconciles its list')
    if (list.signed_off_at !== null) throw new Errors.Conflict(`reconciliation ${id} was signed off on ${iso(list.signed_off_at)}`)
    return list
  }
}

/** Every day: lists the buildings not yet listed this month. */
export const reconciliationJob = (r: Reconciliations, o: CountingJobOptions): CountingJob<{ listed: number; items: number }> => new CountingJob({
  name: 'monthly reconciliation', run: () => r.listAll(), done: 'buildings listed for this month\'s reconciliation',
  intervalMs: 3_600_000, firstRunDelayMs: 1_200_000,
}, o)
