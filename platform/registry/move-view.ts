// A move as one reader may see it, and what they may do with it now. A move
// joins two stays in two buildings (the one the person leaves, `from`, and
// the pending registration, `to`); each side is shown only to readers who may
// read that building's residents, and the text describing the state names
// nothing of the other side. Pure: the rows, the reader and the time in.

import { can, type Actor, type BuildingRef } from './access.ts'
import { iso } from './context.ts'
import type { Registration } from './registration-rows.ts'

import type { MoveAction, MoveStatus } from '../../contract/vocabulary.ts'

export { MOVE_ACTIONS, MOVE_STATUSES, type MoveAction, type MoveStatus } from '../../contract/vocabulary.ts'
export const OPEN_MOVE_STATUSES: readonly MoveStatus[] = ['waiting', 'disputed']

export interface MoveRow {
  id: string; resident_id: string; from_registration_id: string; from_building_id: string
  to_registration_id: string; to_building_id: string; status: MoveStatus; requested_by: string
  created_at: Date; requested_at: Date; due_at: Date; dispute_reason: string | null; disputed_by: string | null
  disputed_at: Date | null; closed_by: string | null; closed_at: Date | null; close_reason: string | null
}

export interface Move {
  id: string
  status: MoveStatus
  /** The state in words that name nothing of the side the reader cannot see. */
  message: string
  requestedAt: string
  /** Until then the side the person leaves answers; after it the jurisdiction of that side may decide. */
  dueAt: string
  overdue: boolean
  /** The reason the side the person leaves gave; only for readers of that side. */
  disputeReason: string | null
  closedAt: string | null
  /** The stay the person leaves, if the reader may read its building's residents. */
  from: Registration | null
  /** The registration that waits, if the reader may read its building's residents. */
  to: Registration | null
  /** What the reader may do now. */
  actions: MoveAction[]
}

export const isOpen = (status: MoveStatus): boolean => OPEN_MOVE_STATUSES.includes(status)

/**
 * What `actor` may do with the move at `now`: the side the person leaves
 * (residents.write there) confirms, or disputes a waiting move; its
 * jurisdiction (moves.decide there) decides a disputed move, or a waiting one
 * once its time has run out; the side that registered withdraws.
 */
export function moveActions (actor: Actor, m: Pick<MoveRow, 'status' | 'due_at'>, from: BuildingRef, to: BuildingRef, now: Date): MoveAction[] {
  if (!isOpen(m.status)) return []
  const out: MoveAction[] = []
  if (can(actor, 'residents.write', from)) {
    out.push('confirm')
    if (m.status === 'waiting') out.push('dispute')
  }
  if (can(actor, 'moves.decide', from) && (m.status === 'disputed' || now.getTime() >= m.due_at.getTime())) out.push('decide')
  if (can(actor, 'residents.write', to)) out.push('withdraw')
  return out
}

// For readers of the waiting registration: the other address stays anonymous.
const TO_SIDE: Record<MoveStatus, string> = {
  waiting: 'This person is registered at another address; the move waits for confirmation. Their credentials here reach the readers once it is confirmed.',
  disputed: 'This person is registered at another address; the move was disputed there and waits for the decision of that address\'s grid worker or police.',
  confirmed: 'The move was confirmed; this registration is active and its credentials are on the readers.',
  decided_moved: 'The move was decided; this registration is active and its credentials are on the readers.',
  released: 'The stay at the other address ended; this registration is active and its credentials are on the readers.',
  decided_stays: 'It was decided that the person did not move; this registration was cancelled.',
  withdrawn: 'This registration was withdrawn before the move was confirmed; it was cancelled.',
}

// For readers of the stay the person leaves.
const FROM_SIDE: Record<MoveStatus, string> = {
  waiting: 'This person has been registered at another address. Confirm that they left (their stay here ends with reason moved) or dispute it; ' +
    'after the due time the grid worker or police of this building\'s jurisdiction may decide.',
  disputed: 'The move was disputed; the grid worker or police of this building\'s jurisdiction decides.',
  confirmed: 'The move was confirmed; the stay here ended with reason moved.',
  decided_moved: 'It was decided that the person moved; the stay here ended with reason moved.',
  released: 'The stay here ended; the registration at the other address became active.',
  decided_stays: 'It was decided that the person did not move; the stay here continues.',
  withdrawn: 'The registration at the other address was withdrawn; the stay here continues.',
}

export function moveMessage (status: MoveStatus, seesTo: boolean): string {
  return (seesTo ? TO_SIDE : FROM_SIDE)[status]
}

export function toMove (m: MoveRow, sides: { from: Registration | null; to: Registration | null }, actions: MoveAction[], now: Date): Move {
  return {
    id: m.id,
    status: m.status,
    message: moveMessage(m.status, sides.to !== null),
    requestedAt: iso(m.requested_at),
    dueAt: iso(m.due_at),
    overdue: isOpen(m.status) && now.getTime() >= m.due_at.getTime(),
    disputeReason: sides.from === null ? null : m.dispute_reason,
    closedAt: iso(m.closed_at),
    from: sides.from,
    to: sides.to,
    actions,
  }
}
