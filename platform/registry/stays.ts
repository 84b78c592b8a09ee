// A stay's status changes inside a transaction: ending an active stay,
// making a pending registration the person's stay, cancelling one that never
// became a stay. Each does the same to the registration's credentials, moves
// the building's allow-list only when what readers hold changes (pending
// credentials were never on a reader), and writes the building's ledger,
// naming whoever the ledger may show (`ledgerAs`).

import type { Queryable } from '../store/database.ts'
import type { Actor } from './access.ts'
import type { AllowlistChange } from './context.ts'
import { bumpAllowlist, revokeCredentials, type CredentialRow } from './credentials.ts'
import { appendLedger, type LedgerRefs } from './ledger.ts'
import { adoptDetails } from './resident-details.ts'

export interface StayRef { id: string; room_id: string; building_id: string; resident_id: string }

export const stayRefs = (s: StayRef): LedgerRefs =>
  ({ buildingId: s.building_id, roomId: s.room_id, residentId: s.resident_id, registrationId: s.id })

/** The registration row as the stay functions need it, locked for the transaction. */
export async function lockStay (tx: Queryable, registrationId: string): Promise<StayRef & { status: string; arrived_at: Date }> {
  const r = await tx.query<StayRef & { status: string; arrived_at: Date }>(
    'select id, room_id, building_id, resident_id, status, arrived_at from registrations where id = $1 for update', [registrationId])
  return r.rows[0]!
}

/** Ends an active stay and revokes its credentials. */
export async function closeStay (
  tx: Queryable, actor: Actor, stay: StayRef, how: { reason: string; at: Date; moveId?: string }, ledgerAs: Pick<Actor, 'id'> = actor,
): Promise<AllowlistChange | null> {
  await tx.query(
    `update registrations set status = 'departed', departed_at = $2, departure_reason = $3, deregistered_by = $4 where id = $1`,
    [stay.id, how.at, how.reason, actor.id])
  await appendLedger(tx, ledgerAs, 'registration.departed', stayRefs(stay),
    { reason: how.reason, departedAt: how.at.toISOString(), ...(how.moveId === undefined ? {} : { moveId: how.moveId }) })
  const revoked = await revokeCredentials(tx, actor, { registrationId: stay.id }, `departed: ${how.reason}`, how.at, { ledgerAs })
  return revoked.length > 0 ? bumpAllowlist(tx, stay.building_id, [], revoked) : null
}

/**
 * A pending registration becomes the person's stay: its credentials reach the
 * building's readers, and the shared person record takes its entry. The
 * caller has ended the person's previous stay in the same transaction.
 */
export async function activateStay (
  tx: Queryable, stay: StayRef, moveId: string, at: Date, ledgerAs: Pick<Actor, 'id'>,
): Promise<AllowlistChange | null> {
  await tx.query(`update registrations set status = 'active' where id = $1 and status = 'pending'`, [stay.id])
  await appendLedger(tx, ledgerAs, 'registration.activated', stayRefs(stay), { moveId })
  const r = await tx.query<CredentialRow>(
    `update credentials set status = 'active' where registration_id = $1 and status = 'pending' returning *`, [stay.id])
  for (const c of r.rows) await appendLedger(tx, ledgerAs, 'credential.activated', { ...stayRefs(stay), credentialId: c.id }, { kind: c.kind })
  await adoptDetails(tx, stay.resident_id, stay.id, at)
  return r.rows.length > 0 ? bumpAllowlist(tx, stay.building_id, r.rows, []) : null
}

/** A pending registration that will not become a stay; its credentials, on no reader yet, are revoked. */
export async function cancelStay (
  tx: Queryable, actor: Actor, stay: StayRef, how: { reason: string; at: Date; moveId: string }, ledgerAs: Pick<Actor, 'id'>,
): Promise<void> {
  await tx.query(`update registrations set status = 'cancelled' where id = $1 and status = 'pending'`, [stay.id])
  await appendLedger(tx, ledgerAs, 'registration.cancelled', stayRefs(stay), { reason: how.reason, moveId: how.moveId })
  await revokeCredentials(tx, actor, { registrationId: stay.id }, `cancelled: ${how.reason}`, how.at, { from: 'pending', ledgerAs })
}
