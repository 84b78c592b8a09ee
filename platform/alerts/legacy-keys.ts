// Alerts written before presented values were named by their keyed digest:
// their keys held the card or QR value (unknown_credential, impossible_travel,
// repeated_denials by card) or another building's credential id
// (foreign_credential), and a cross-building alert named the other building's
// door, device and event. At start, before the pipeline runs, each such alert
// is rewritten as the rules now write it: the key with the digest (so the next
// occurrence of the same card folds into the same alert, not a second one),
// and of the other building nothing but "another building"; so are the copies
// of it in its webhook deliveries.

import type { Logger } from 'pino'
import { DIGEST_PATTERN } from '../../protocol/index.ts'
import type { CredentialKind } from '../registry/credentials.ts'
import type { Database, Queryable } from '../store/database.ts'
import { recordUpgrade, upgradeDone } from '../store/upgrades.ts'
import { insertHistory } from './alert-store.ts'

type KeyOf = (kind: CredentialKind, value: string) => string

/** Kinds whose value named the card in a key (a PIN's key names a door or a credential id, never its value). */
const VALUE_KINDS: ReadonlySet<string> = new Set(['card', 'ic_card', 'qr', 'face'])
const DIGEST = new RegExp(DIGEST_PATTERN)

export interface LegacyAlert {
  dedupKey: string
  type: string
  buildingId: string
  door: string | null
  deviceId: string | null
  credentialId: string | null
  residentId: string | null
  evidence: string[]
  explanation: string
}

/**
 * The key of an alert of before, as the rules now write it, or undefined when it needs no change. `credential`:
 * the kind and value of a foreign_credential's credential (its key named the id).
 */
export function rekey (a: Pick<LegacyAlert, 'dedupKey' | 'type' | 'buildingId'>, keyOf: KeyOf, credential?: { kind: CredentialKind; value: string; id: string }): string | undefined {
  if (a.type === 'foreign_credential') {
    if (credential === undefined) return undefined
    return `foreign_credential:${a.buildingId}:${keyOf(credential.kind, credential.kind === 'pin' ? credential.id : credential.value)}`
  }
  const prefix = a.type === 'repeated_denials' ? `repeated_denials:cred:${a.buildingId}:` : `${a.type}:${a.buildingId}:`
  if (!a.dedupKey.startsWith(prefix)) return undefined
  const rest = a.dedupKey.slice(prefix.length)
  const colon = rest.indexOf(':')
  const kind = rest.slice(0, colon)
  const value = rest.slice(colon + 1)
  if (colon < 0 || !VALUE_KINDS.has(kind) || DIGEST.test(value)) return undefined
  return `${prefix}${keyOf(kind as CredentialKind, value)}`
}

/**
 * What a cross-building alert of before may keep: of the other building, only that it exists. `own`: the
 * devices of the alert's building, by id.
 */
export function redactOtherBuilding (a: LegacyAlert, own: ReadonlySet<string>): Pick<LegacyAlert, 'door' | 'deviceId' | 'credentialId' | 'residentId' | 'evidence' | 'explanation'> {
  const here = a.deviceId === null || own.has(a.deviceId)
  const explanation = a.explanation
    .replace(/registered to building (\S+?)([,:.])/g, (_m, b: string, p: string) => b === a.buildingId ? `registered here${p}` : `registered to another building${p}`)
    .replace(/building (\S+) \(door ([^)]*)\)/g, (_m, b: string, door: string) => b === a.buildingId ? `this building (door ${door})` : 'another building')
    .replace(/the buildings are [0-9.]+ km apart: at least [0-9]+ (s|min) at [0-9.]+ km\/h/g, 'sooner than anyone can travel between the two')
  return {
    door: here ? a.door : null,
    deviceId: here ? a.deviceId : null,
    // A foreign credential is the other building's, with its holder.
    credentialId: a.type === 'foreign_credential' ? null : a.credentialId,
    residentId: a.type === 'foreign_credential' ? null : a.residentId,
    evidence: a.evidence.filter((ref) => own.has(ref.slice(0, ref.indexOf('/')))),
    explanation,
  }
}

interface Row {
  id: string; seq: string; dedup_key: string; type: string; status: string; building_id: string; door: string | null; device_id: string | null
  credential_id: string | null; resident_id: string | null; evidence: string[]; explanation: string
  cred_kind: CredentialKind | null; cred_value: string | null
}

/** Its record in platform_upgrades once every alert of before has been rewritten. */
export const LEGACY_ALERT_KEYS_UPGRADE = 'alerts.legacy-keys'
const SUPERSEDED = 'superseded by the alert with the same key'
// Serialises the batches of platforms starting at once on one PostgreSQL server (any constant works).
const REKEY_LOCK = 7_402_119

// Alerts that may hold a value in their key: not yet keyed by a digest, and not keyed by a door or a PIN's id.
const CANDIDATES = `a.type in ('unknown_credential', 'impossible_travel', 'repeated_denials', 'foreign_credential')
          and a.dedup_key not like '%:hmac-sha256:%'
          and a.dedup_key !~ '^(repeated_denials:door:|repeated_denials:cred:[^:]+:pin:|[a-z_]+:[^:]+:pin:)'`

export interface RekeyOptions {
  /** Progress (done / total), once per batch. */
  logger?: Pick<Logger, 'info'>
  /** Alerts per transaction. */
  batchSize?: number
  now?: () => Date
}

/**
 * Rewrites every alert of before (resolved ones too: their keys held card numbers as well), in transactions of
 * `batchSize` alerts in seq order, and records in the last one that it is done: a later start skips it at once
 * (the rules write digests, so no alert of before can appear again). A start that stops half way leaves the
 * batches done rewritten (they no longer look like alerts of before) and the next start goes on with the rest.
 * Returns how many alerts it changed.
 */
export async function rekeyLegacyAlerts (db: Database, keyOf: KeyOf, o: RekeyOptions = {}): Promise<number> {
  if (await upgradeDone(db, LEGACY_ALERT_KEYS_UPGRADE)) return 0
  const batchSize = o.batchSize ?? 500
  const now = o.now ?? (() => new Date())
  const count = await db.query<{ n: number }>(`select count(*)::int as n from alerts a where ${CANDIDATES}`)
  const total = count.rows[0]?.n ?? 0
  // The devices of a building do not change while the platform starts.
  const devices = new Map<string, Set<string>>()
  const own = async (tx: Queryable, buildingId: string): Promise<Set<string>> => {
    const known = devices.get(buildingId)
    if (known !== undefined) return known
    const d = await devicesOf(tx, buildingId)
    devices.set(buildingId, d)
    return d
  }
  let after = '0'
  let done = 0
  let changed = 0
  for (;;) {
    const batch = await db.transaction(async (tx) => {
      // Another platform starting on the same server rewrites in turn: each batch sees what the other committed.
      if (db.kind === 'postgres') await tx.query('select pg_advisory_xact_lock($1)', [REKEY_LOCK])
      if (await upgradeDone(tx, LEGACY_ALERT_KEYS_UPGRADE)) return { seen: 0, changed: 0, last: true, after }
      const r = await tx.query<Row>(
        `select a.id, a.seq::text as seq, a.dedup_key, a.type, a.status, a.building_id, a.door, a.device_id, a.credential_id,
                a.resident_id, a.evidence, a.explanation, c.kind as cred_kind, c.value as cred_value
           from alerts a left join credentials c on a.type = 'foreign_credential' and c.id = a.credential_id
          where a.seq > $1::bigint and ${CANDIDATES}
          order by a.seq limit $2`, [after, batchSize])
      const at = now()
      let n = 0
      for (const row of r.rows) if (await rewrite(tx, row, keyOf, own, at)) n++
      const last = r.rows.length < batchSize
      if (last) await recordUpgrade(tx, LEGACY_ALERT_KEYS_UPGRADE, at)
      return { seen: r.rows.length, changed: n, last, after: r.rows.at(-1)?.seq ?? after }
    })
    done += batch.seen
    changed += batch.changed
    after = batch.after
    if (total > 0) o.logger?.info({ done, total, changed }, 'rewriting alerts keyed by a card number')
    if (batch.last) return changed
  }
}

/** Rewrites one alert of before and its webhook deliveries; false when its key needs no change. */
async function rewrite (tx: Queryable, row: Row, keyOf: KeyOf, own: (tx: Queryable, buildingId: string) => Promise<Set<string>>, at: Date): Promise<boolean> {
  const a: LegacyAlert = {
    dedupKey: row.dedup_key, type: row.type, buildingId: row.building_id, door: row.door, deviceId: row.device_id,
    credentialId: row.credential_id, residentId: row.resident_id, evidence: row.evidence, explanation: row.explanation,
  }
  const credential = row.cred_kind === null || row.cred_value === null || row.credential_id === null
    ? undefined : { kind: row.cred_kind, value: row.cred_value, id: row.credential_id }
  const key = rekey(a, keyOf, credential)
  if (key === undefined) return false
  const fields = row.type === 'foreign_credential' || row.type === 'impossible_travel'
    ? redactOtherBuilding(a, await own(tx, row.building_id))
    : { door: a.door, deviceId: a.deviceId, credentialId: a.credentialId, residentId: a.residentId, evidence: a.evidence, explanation: a.explanation }
  // A live alert already under the new key (should the platform have run the rules before this): this one is closed.
  const taken = row.status !== 'resolved' &&
    (await tx.query('select 1 from alerts where dedup_key = $1 and status <> \'resolved\'', [key])).rows.length > 0
  await tx.query(
    `update alerts set dedup_key = $2, door = $3, device_id = $4, credential_id = $5, resident_id = $6, evidence = $7::text[],
            explanation = $8${taken ? ', status = \'resolved\', resolved_at = $9, updated_at = $9, resolved_by = null, auto_resolved = true, resolution_note = $10' : ''}
      where id = $1`,
    [row.id, key, fields.door, fields.deviceId, fields.credentialId, fields.residentId, fields.evidence, fields.explanation,
      ...(taken ? [at, SUPERSEDED] : [])])
  if (taken) await insertHistory(tx, [{ alertId: row.id, actorId: null, action: 'resolved', note: SUPERSEDED, detail: { auto: true } }], at)
  // Its webhook deliveries, pending or kept after delivery, carry the alert as it was.
  await tx.query(`update webhook_outbox set payload = jsonb_set(payload, '{alert}', (payload -> 'alert') || $2::jsonb) where alert_id = $1`,
    [row.id, JSON.stringify({ dedupKey: key, ...fields })])
  return true
}

async function devicesOf (tx: Queryable, buildingId: string): Promise<Set<string>> {
  const r = await tx.query<{ id: string }>('select id from devices where building_id = $1', [buildingId])
  return new Set(r.rows.map((d) => d.id))
}
