// The registry ledger: every arrival, departure, renewal, credential issued or
// revoked, device provisioned, in order, never rewritten (hotel-style book).

import type { Queryable } from '../store/database.ts'
import type { Actor } from './access.ts'
import { iso } from './context.ts'

export type LedgerAction =
  | 'building.created' | 'building.updated' | 'building.vendor_granted'
  | 'room.created' | 'room.updated'
  | 'registration.arrived' | 'registration.departed' | 'registration.renewed'
  | 'credential.issued' | 'credential.revoked'
  | 'device.provisioned' | 'device.enabled' | 'device.disabled' | 'device.secret_rotated' | 'device.approved'

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

export async function appendLedger (
  q: Queryable,
  actor: Actor,
  action: LedgerAction,
  refs: LedgerRefs,
  detail: Record<string, unknown> = {},
): Promise<void> {
  await q.query(
    `insert into registry_ledger (actor_id, action, building_id, room_id, resident_id, registration_id, credential_id, device_id, detail)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [actor.id, action, refs.buildingId ?? null, refs.roomId ?? null, refs.residentId ?? null,
      refs.registrationId ?? null, refs.credentialId ?? null, refs.deviceId ?? null, detail],
  )
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
