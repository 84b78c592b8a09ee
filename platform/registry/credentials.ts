// Credentials (cards, IC residence-permit cards, QR codes, face enrolments,
// PINs) and the building allow-list they make up. Every change bumps the
// building's allow-list version; readers get it as a delta (or a full sync),
// digested with each reader's own key by the allow-list pusher. A PIN is kept
// only under the data key: a keyed hash in `value`, its SHA-256 sealed.

import { randomBytes } from 'node:crypto'
import type { CredentialStatus } from '../../contract/vocabulary.ts'
import { pinSha256, type AllowEntry, type TimeWindow } from '../../protocol/index.ts'

export type CredentialKind = AllowEntry['kind']
import { Errors } from '../errors.ts'
import { maskValue } from '../pipeline/rules/rule.ts'
import type { CredentialSecrets } from '../privacy/credential-secrets.ts'
import { sqlState, UNIQUE_VIOLATION, type Database, type Queryable } from '../store/database.ts'
import type { Actor } from './access.ts'
import { iso, newId, type AllowlistChange, type ListedCredential } from './context.ts'
import { appendLedger } from './ledger.ts'
import { boundedUntil, permitBounds } from './permits.ts'

export interface CredentialInput {
  kind: CredentialKind
  /** Card number, face enrolment reference, PIN digits; generated for `qr` when absent. */
  value?: string
  validFrom?: string
  validUntil?: string
  windows?: TimeWindow[]
}

export interface Credential {
  id: string
  buildingId: string
  roomId: string
  registrationId: string | null
  kind: CredentialKind
  /** Masked (`…3F9A`) for cards and faces; a QR token in full to the building's landlord only; a PIN is never shown. */
  value: string
  validFrom: string | null
  validUntil: string | null
  windows: TimeWindow[] | null
  visitor: boolean
  /** Visitor passes: the visitor's identity, the id of their first pass (kept by renewals); null otherwise. */
  visitorId: string | null
  /** The pass this one renewed, if any. */
  renews: string | null
  /** pending: issued to a registration that waits for a move; on no reader until it is active. */
  status: CredentialStatus
  issuedAt: string
  revokedAt: string | null
  revokeReason: string | null
  /** Visitor passes: who the pass is for, to the building's landlord only; null otherwise. */
  visitorName: string | null
}

export interface CredentialRow {
  id: string; building_id: string; room_id: string; registration_id: string | null; kind: CredentialKind; value: string
  valid_from: Date | null; valid_until: Date | null; windows: TimeWindow[] | null; visitor: boolean
  visitor_id: string | null; renews: string | null; visitor_name: string | null
  status: CredentialStatus; issued_at: Date; revoked_at: Date | null; revoke_reason: string | null
  /** A PIN's SHA-256, sealed; null for the other kinds. */
  secret_sealed: string | null
}

export type { CredentialStatus }

export const HIDDEN_PIN = '(PIN hidden)'

/**
 * Who reads a credential. The building's landlord hands a QR code to its
 * holder (a tenant, a visitor) and so sees the token and a visitor's name;
 * nobody, them included, sees a card number or a face reference in full.
 */
export interface CredentialViewer { holderOfBuilding: boolean }

export const viewerOf = (actor: Actor, building: { landlord_id: string | null }): CredentialViewer =>
  ({ holderOfBuilding: actor.role === 'landlord' && building.landlord_id === actor.id })

function shownValue (r: CredentialRow, viewer: CredentialViewer): string {
  if (r.kind === 'pin') return HIDDEN_PIN
  if (r.kind === 'qr' && viewer.holderOfBuilding) return r.value
  return maskValue(r.value)
}

export const toCredential = (r: CredentialRow, viewer: CredentialViewer): Credential => ({
  id: r.id,
  buildingId: r.building_id,
  roomId: r.room_id,
  registrationId: r.registration_id,
  kind: r.kind,
  value: shownValue(r, viewer),
  validFrom: iso(r.valid_from),
  validUntil: iso(r.valid_until),
  windows: r.windows,
  visitor: r.visitor,
  visitorId: r.visitor_id,
  renews: r.renews,
  status: r.status,
  issuedAt: iso(r.issued_at),
  revokedAt: iso(r.revoked_at),
  revokeReason: r.revoke_reason,
  visitorName: r.visitor && viewer.holderOfBuilding ? r.visitor_name : null,
})

/**
 * The entry every reader's list is digested from; a PIN's value stays sealed (see ListedCredential). A
 * resident's entry ends no later than their residence permit (`permitEnd`, the next midnight after its last day).
 */
export function toListed (r: CredentialRow, permitEnd?: number | null): ListedCredential {
  const e: ListedCredential = { credentialId: r.id, kind: r.kind, value: r.kind === 'pin' ? r.secret_sealed ?? '' : r.value }
  if (r.valid_from !== null) e.validFrom = iso(r.valid_from)
  const until = boundedUntil(r.valid_until === null ? undefined : iso(r.valid_until), permitEnd)
  if (until !== undefined) e.validUntil = until
  if (r.windows !== null && r.windows.length > 0) e.windows = r.windows
  if (r.visitor) e.visitor = true
  return e
}

const CARD_VALUE = /^[0-9A-Fa-f]{4,32}$|^[0-9]{4,32}$/
const PIN_VALUE = /^[0-9]{4,8}$/
const REF_VALUE = /^[\x21-\x7e]{4,128}$/

/**
 * Checks and normalises what a person typed for a credential; what is stored:
 * the value, and for a PIN a keyed hash as the value and its SHA-256 sealed.
 */
export function storedCredential (input: CredentialInput, secrets: CredentialSecrets): { value: string; sealed: string | null } {
  const v = input.value?.trim()
  switch (input.kind) {
    case 'card':
    case 'ic_card':
      if (v === undefined || !CARD_VALUE.test(v)) throw new Errors.BadRequest(`a ${input.kind} number is 4..32 hex digits`)
      return { value: v.toUpperCase(), sealed: null }
    case 'pin': {
      if (v === undefined || !PIN_VALUE.test(v)) throw new Errors.BadRequest('a PIN is 4..8 digits')
      const hash = pinSha256(v)
      return { value: secrets.pinLookup(hash), sealed: secrets.sealPin(hash) }
    }
    case 'qr':
      if (v === undefined) return { value: randomBytes(18).toString('base64url'), sealed: null }
      if (!REF_VALUE.test(v)) throw new Errors.BadRequest('a QR token is 4..128 printable ASCII characters')
      return { value: v, sealed: null }
    case 'face':
      if (v === undefined || !REF_VALUE.test(v)) {
        throw new Errors.BadRequest('a face credential is the enrolment reference the reader returned (4..128 printable ASCII), never an image')
      }
      return { value: v, sealed: null }
    default:
      throw new Errors.BadRequest(`unknown credential kind ${String(input.kind)}`)
  }
}

/**
 * Kinds whose value identifies one thing carried by one holder: a physical
 * card's number, a QR token. Held (pending or active) by one holder on the
 * whole platform, and active at most once; the database guards it
 * (credential_holds, migration 018). Face references are numbered by each
 * building's readers (held by one holder per building); PINs are never
 * unique, since refusing one would disclose that someone already has it.
 */
export const UNIQUE_EVERYWHERE: ReadonlySet<CredentialKind> = new Set<CredentialKind>(['card', 'ic_card', 'qr'])

const IN_USE: Record<CredentialKind, string> = {
  card: 'this card number is already in use; a card is held by one holder at a time (if it is one of yours, revoke it first)',
  ic_card: 'this IC card number is already in use; a card is held by one holder at a time (if it is one of yours, revoke it first)',
  qr: 'this QR token is already in use; leave the value out to have a fresh one generated',
  face: 'this face enrolment reference is already in use by the readers of this building',
  pin: 'unused',
}

export async function insertCredential (
  tx: Queryable,
  secrets: CredentialSecrets,
  actor: Actor,
  target: {
    buildingId: string; roomId: string; registrationId: string | null; residentId?: string
    /** A visitor pass for this visitor (name); `visitorId` and `renews` when it renews another pass. */
    visitor?: string; visitorId?: string; renews?: string
  },
  input: CredentialInput,
  /** Issued to a pending registration: it holds its value but reaches no reader until the registration is active. */
  pending = false,
): Promise<CredentialRow> {
  const { value, sealed } = storedCredential(input, secrets)
  if (input.validFrom !== undefined && input.validUntil !== undefined && new Date(input.validFrom) >= new Date(input.validUntil)) {
    throw new Errors.BadRequest('validUntil must be after validFrom')
  }
  // Readers take a credential without windows as valid at any time; an empty list would read as "never" here.
  if (input.windows !== undefined && input.windows.length === 0) {
    throw new Errors.BadRequest('give at least one time window, or leave windows out for a credential valid at any time')
  }
  const id = newId('c')
  const visitor = target.visitor !== undefined
  let row: CredentialRow
  try {
    const r = await tx.query<CredentialRow>(
      `insert into credentials (id, building_id, room_id, registration_id, kind, value, valid_from, valid_until, windows, visitor, visitor_name,
         visitor_id, renews, issued_by, secret_sealed, status)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) returning *`,
      [id, target.buildingId, target.roomId, target.registrationId, input.kind, value, input.validFrom ?? null,
        input.validUntil ?? null, input.windows === undefined ? null : JSON.stringify(input.windows),
        visitor, target.visitor ?? null, visitor ? target.visitorId ?? id : null, target.renews ?? null, actor.id, sealed,
        pending ? 'pending' : 'active'],
    )
    row = r.rows[0]!
  } catch (err) {
    // The database refuses a value held by someone else, or twice by one registration or at once (migration 018).
    // The answer names no holder, building or credential, and is the same whoever holds the value.
    if (sqlState(err) === UNIQUE_VIOLATION) throw new Errors.CredentialInUse(IN_USE[input.kind])
    throw err
  }
  await appendLedger(tx, actor, 'credential.issued', {
    buildingId: target.buildingId, roomId: target.roomId, registrationId: target.registrationId ?? undefined,
    residentId: target.residentId, credentialId: id,
  }, { kind: input.kind, visitor, ...(target.renews === undefined ? {} : { renews: target.renews }), ...(pending ? { pending: true } : {}) })
  return row
}

/**
 * Revokes the credentials matching `where` that are in status `from` (active
 * ones, which readers hold; or pending ones, which no reader has seen); returns
 * them. The ledger names `o.ledgerAs` (default the actor).
 */
export async function revokeCredentials (
  tx: Queryable,
  actor: Actor,
  where: { registrationId?: string; credentialId?: string },
  reason: string,
  at: Date,
  o: { from?: 'active' | 'pending'; ledgerAs?: Pick<Actor, 'id'> } = {},
): Promise<CredentialRow[]> {
  const [column, value] = where.credentialId !== undefined ? ['id', where.credentialId] : ['registration_id', where.registrationId]
  const r = await tx.query<CredentialRow>(
    `update credentials set status = 'revoked', revoked_at = $2, revoked_by = $3, revoke_reason = $4
     where ${column} = $1 and status = $5 returning *`,
    [value, at, actor.id, reason, o.from ?? 'active'],
  )
  for (const c of r.rows) {
    await appendLedger(tx, o.ledgerAs ?? actor, 'credential.revoked', {
      buildingId: c.building_id, roomId: c.room_id, registrationId: c.registration_id ?? undefined, credentialId: c.id,
    }, { reason })
  }
  return r.rows
}

/**
 * Moves a building's allow-list one version forward; call inside the transaction that changed it. Credentials
 * of a registration whose permit lapsed stay off the readers (permit-watch.ts); the others carry the permit's end.
 */
export async function bumpAllowlist (tx: Queryable, buildingId: string, upsert: CredentialRow[], removed: CredentialRow[]): Promise<AllowlistChange> {
  const r = await tx.query<{ allowlist_version: number }>(
    'update buildings set allowlist_version = allowlist_version + 1 where id = $1 returning allowlist_version', [buildingId])
  const version = r.rows[0]!.allowlist_version
  const bounds = await permitBounds(tx, upsert.flatMap((c) => c.registration_id === null ? [] : [c.registration_id]))
  const listed = upsert.flatMap((c) => {
    const b = c.registration_id === null ? undefined : bounds.get(c.registration_id)
    return b?.lapsed === true ? [] : [toListed(c, b?.endsAt)]
  })
  return { buildingId, version, baseVersion: version - 1, upsert: listed, remove: removed.map((c) => c.id) }
}

/** The whole allow-list of a building: every active credential, with the version it is at. */
export async function fullAllowlist (db: Database, buildingId: string): Promise<{ version: number; entries: ListedCredential[] }> {
  return db.transaction(async (q) => {
    // One snapshot for the version and the entries.
    if (db.kind === 'postgres') await q.query('set transaction isolation level repeatable read')
    const b = await q.query<{ allowlist_version: number }>('select allowlist_version from buildings where id = $1', [buildingId])
    if (b.rows.length === 0) throw new Errors.NotFound(`building ${buildingId}`)
    const r = await q.query<CredentialRow>(
      `select c.* from credentials c where c.building_id = $1 and c.status = 'active'
          and not exists (select 1 from registrations g where g.id = c.registration_id and g.permit_lapsed_at is not null)
        order by c.id`, [buildingId])
    const bounds = await permitBounds(q, r.rows.flatMap((c) => c.registration_id === null ? [] : [c.registration_id]))
    return {
      version: b.rows[0]!.allowlist_version,
      entries: r.rows.map((c) => toListed(c, c.registration_id === null ? undefined : bounds.get(c.registration_id)?.endsAt)),
    }
  })
}

const LEGACY_PIN = /^sha256:([0-9a-f]{64})$/

/**
 * Brings PINs stored before protocol revision 2 (value `sha256:<hex>`, which
 * anyone holding the database could reverse in a second) under the data key:
 * the keyed hash as the value, the SHA-256 sealed. Nothing else changes, so the
 * building's allow-list version stays; readers get the new digests with their
 * next full list. Safe to run at every start.
 */
export async function sealLegacyPins (db: Database, secrets: CredentialSecrets): Promise<number> {
  const r = await db.query<{ id: string; value: string }>(
    `select id, value from credentials where kind = 'pin' and secret_sealed is null`)
  let sealed = 0
  for (const row of r.rows) {
    const hash = LEGACY_PIN.exec(row.value)?.[1]
    if (hash === undefined) continue
    await db.query('update credentials set value = $2, secret_sealed = $3 where id = $1 and secret_sealed is null',
      [row.id, secrets.pinLookup(hash), secrets.sealPin(hash)])
    sealed++
  }
  return sealed
}
