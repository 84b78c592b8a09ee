// The registry ledger: every arrival, departure, renewal, credential issued or
// revoked, device provisioned, in order, never rewritten (hotel-style book).

import type { Queryable } from '../store/database.ts'
import { can, type Actor, type BuildingRef } from './access.ts'
import { iso } from './context.ts'
import { queueRegistryChange } from './registry-feed.ts'

export type LedgerAction =
  | 'building.created' | 'building.updated' | 'building.vendor_granted' | 'building.removed'
  | 'room.created' | 'room.updated'
  // Permits, vacancy, reconciliation (028): taken off / back on the rental register, permits lapsed and restored, lists signed off.
  | 'room.withdrawn' | 'room.returned' | 'building.withdrawn' | 'building.returned'
  | 'registration.permit_lapsed' | 'registration.permit_restored' | 'reconciliation.signed_off'
  | 'registration.arrived' | 'registration.departed' | 'registration.renewed'
  | 'registration.pending' | 'registration.activated' | 'registration.cancelled'
  | 'credential.issued' | 'credential.revoked' | 'credential.activated' | 'credential.shortened'
  | 'move.requested' | 'move.disputed' | 'move.confirmed' | 'move.decided' | 'move.withdrawn' | 'move.released' | 'move.transferred'
  | 'device.provisioned' | 'device.enabled' | 'device.disabled' | 'device.secret_rotated' | 'device.approved'
  | 'device.removed'

export interface LedgerRefs {
  buildingId?: string
  roomId?: string
  residentId?: string
  registrationId?: string
  credentialId?: string
  deviceId?: string
}

export interface LedgerEntry extends LedgerRefs {
  seq: number
  at: string
  actorId: string
  action: LedgerAction
  detail: Record<string, unknown>
}

/**
 * The actor id a building's ledger records for a step someone took who may not
 * read that building's residents (the other side of a move): who it was is
 * the other side's business; the audit log keeps it.
 */
export const WITHHELD_ACTOR = '(withheld)'

/** The actor as `building`'s ledger shows them: themselves if they may read its residents, else withheld. */
export function ledgerActor (actor: Actor, building: BuildingRef): Pick<Actor, 'id'> {
  return can(actor, 'residents.read', building) ? actor : { id: WITHHELD_ACTOR }
}

export async function appendLedger (
  q: Queryable,
  actor: Pick<Actor, 'id'>,
  action: LedgerAction,
  refs: LedgerRefs,
  detail: Record<string, unknown> = {},
): Promise<void> {
  const r = await q.query<{ seq: string | number; at: Date }>(
    `insert into registry_ledger (actor_id, action, building_id, room_id, resident_id, registration_id, credential_id, device_id, detail)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning seq, at`,
    [actor.id, action, refs.buildingId ?? null, refs.roomId ?? null, refs.residentId ?? null,
      refs.registrationId ?? null, refs.credentialId ?? null, refs.deviceId ?? null, detail],
  )
  // The population feed (registry-feed.ts): queued with the entry, so a committed change always has its deliveries.
  await queueRegistryChange(q, { seq: Number(r.rows[0]!.seq), at: new Date(r.rows[0]!.at), action, refs, detail })
}

interface LedgerRow {
  seq: number; at: Date; actor_id: string; action: LedgerAction; building_id: string | null; room_id: string | null
  resident_id: string | null; registration_id: string | null; credential_id: string | null; device_id: string | null
  detail: Record<string, unknown>
}

export async function readLedger (q: Queryable, buildingId: string, afterSeq = 0, limit = 200): Promise<LedgerEntry[]> {
  const r = await q.query<LedgerRow>(
    'select * from registry_ledger where building_id = $1 and seq > $2 order by seq limit $3',
    [buildingId, afterSeq, Math.min(limit, 1000)],
  )
  return r.rows.map((row) => {
    const e: LedgerEntry = { seq: Number(row.seq), at: iso(row.at), actorId: row.actor_id, action: row.action, detail: row.detail }
    if (row.building_id !== null) e.buildingId = row.building_id
    if (row.room_id !== null) e.roomId = row.room_id
    if (row.resident_id !== null) e.residentId = row.resident_id
    if (row.registration_id !== null) e.registrationId = row.registration_id
    if (row.credential_id !== null) e.credentialId = row.credential_id
    if (row.device_id !== null) e.deviceId = row.device_id
    return e
  })
}
