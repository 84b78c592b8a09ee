// The feed of registry changes for population systems (police): each ledger
// entry that says who lives where (arrivals, departures, renewals; buildings
// and rooms made or changed) is queued in webhook_outbox for every webhook
// that subscribes to `registry` and whose area holds the building, in the
// transaction that writes the ledger entry. The WebhookDispatcher delivers it
// as it delivers alerts: signed, in order, retried until accepted. The person
// is carried masked (the opaque resident id, the document type, the masked
// number, sex, birth decade); names and contacts never leave in the feed.

import { birthDecade } from '../privacy/mask.ts'
import type { Queryable } from '../store/database.ts'
import type { LedgerAction, LedgerRefs } from './ledger.ts'

/** The ledger actions the feed carries; the rest (credentials, devices, moves under way) stay inside. */
export const FEED_ACTIONS = [
  'registration.arrived', 'registration.activated', 'registration.departed', 'registration.renewed', 'registration.cancelled',
  'building.created', 'building.updated', 'building.removed', 'room.created', 'room.updated',
] as const satisfies readonly LedgerAction[]
export type FeedAction = (typeof FEED_ACTIONS)[number]

/** Keys of a ledger entry's detail the feed passes on; anything else (who decided, internal ids) stays. */
const DETAIL_KEYS = [
  'arrivedAt', 'departedAt', 'reason', 'permitValidUntil', 'leaseUntil', 'number', 'capacity', 'gridId', 'name', 'address', 'grade', 'timeZone', 'moveId',
] as const

export const isFeedAction = (a: string): a is FeedAction => (FEED_ACTIONS as readonly string[]).includes(a)

/** What the registry knows of the entry's building, room and person when it is written. */
export interface FeedFacts {
  areaPath: string | null
  roomNumber: string | null
  resident: { idType: string; idMasked: string; sex: 'male' | 'female' | null; birthDate: string | null } | null
}

export interface RegistryChange {
  seq: number
  at: string
  action: FeedAction
  buildingId: string | null
  areaPath: string | null
  roomId: string | null
  roomNumber: string | null
  registrationId: string | null
  resident: { id: string; idType: string; idNumberMasked: string; sex: 'male' | 'female' | null; birthDecade: number | null } | null
  detail: Record<string, unknown>
}

/** What the outbox stores; the delivery adds `delivery` and `webhookId`. */
export interface RegistryChangePayload { event: `registry.${FeedAction}`; change: RegistryChange }

/** The payload of one ledger entry: pure, so what leaves the platform is tested in one place. */
export function registryChangePayload (
  entry: { seq: number; at: Date; action: FeedAction; refs: LedgerRefs; detail: Record<string, unknown> }, facts: FeedFacts,
): RegistryChangePayload {
  const detail: Record<string, unknown> = {}
  for (const k of DETAIL_KEYS) if (entry.detail[k] !== undefined) detail[k] = entry.detail[k]
  const r = facts.resident
  return {
    event: `registry.${entry.action}`,
    change: {
      seq: entry.seq,
      at: entry.at.toISOString(),
      action: entry.action,
      buildingId: entry.refs.buildingId ?? null,
      areaPath: facts.areaPath,
      roomId: entry.refs.roomId ?? null,
      roomNumber: facts.roomNumber,
      registrationId: entry.refs.registrationId ?? null,
      resident: r === null || entry.refs.residentId === undefined ? null : {
        id: entry.refs.residentId, idType: r.idType, idNumberMasked: r.idMasked, sex: r.sex, birthDecade: birthDecade(r.birthDate),
      },
      detail,
    },
  }
}

/**
 * Queues the entry for the webhooks subscribed to registry changes of its building's area, through `q` (the
 * ledger's transaction). Returns how many deliveries it queued; nothing is read further when none subscribes.
 */
export async function queueRegistryChange (
  q: Queryable, entry: { seq: number; at: Date; action: LedgerAction; refs: LedgerRefs; detail: Record<string, unknown> },
): Promise<number> {
  const { action, refs } = entry
  if (!isFeedAction(action) || refs.buildingId === undefined) return 0
  const hooks = await q.query<{ id: string }>(
    `select w.id from webhooks w join buildings b on b.id = $1
      where w.enabled and 'registry' = any(w.subscriptions) and left(b.area_path, length(w.area_path)) = w.area_path order by w.id`, [refs.buildingId])
  if (hooks.rows.length === 0) return 0
  const f = await q.query<{ area_path: string; number: string | null; id_type: string | null; id_masked: string | null; sex: 'male' | 'female' | null; birth_date: string | null }>(
    `select b.area_path, r.number, p.id_type, p.id_masked, p.sex, p.birth_date::text as birth_date
       from buildings b left join rooms r on r.id = $2 left join residents p on p.id = $3 where b.id = $1`,
    [refs.buildingId, refs.roomId ?? null, refs.residentId ?? null])
  const row = f.rows[0]
  const facts: FeedFacts = {
    areaPath: row?.area_path ?? null,
    roomNumber: row?.number ?? null,
    resident: row?.id_type == null ? null : { idType: row.id_type, idMasked: row.id_masked ?? '', sex: row.sex, birthDate: row.birth_date },
  }
  const payload = registryChangePayload({ ...entry, action }, facts)
  const r = await q.query(
    `insert into webhook_outbox (webhook_id, ledger_seq, event, payload) select id, $2, $3, $4::jsonb from unnest($1::text[]) as id order by id`,
    [hooks.rows.map((h) => h.id), entry.seq, payload.event, JSON.stringify(payload)])
  return r.rowCount
}
