// The commands the kit sends, built fresh for each run (new requestIds), and
// checked against their schemas before they go out. The allow-lists are
// digested with the reader's allow-list key (the kit's test key unless the
// vendor gives the reader's own), as the platform would send them.

import { randomUUID } from 'node:crypto'
import {
  allowlistKeyId, parseAllowlistKey, presentedDigest, validateCommand, type AllowEntry, type CommandName,
} from '../../protocol/index.ts'
import type { CommandPurpose } from './observation.ts'

export interface PlannedCommand {
  purpose: CommandPurpose
  name: CommandName
  payload: Record<string, unknown> & { requestId: string }
}

/**
 * Allow-list versions the kit uses: the full sync, the delta on it, then a delta on a version the reader cannot
 * hold. The list under another key carries the delta's version, so a reader that takes it keeps its version and
 * fails on its decisions alone.
 */
export const KIT_VERSIONS = { full: 101, delta: 102, gapBase: 103, gap: 104 } as const

/** The test key of protocol/README.md §7.2: configure the reader with it, or give the kit the reader's own key. */
export const KIT_ALLOWLIST_KEY = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'
/** A key no reader holds: the list the reader must refuse with `wrong_key` is computed with it. */
const FOREIGN_KEY = parseAllowlistKey('ff'.repeat(32))

/** The kit's test credentials, as they are presented at the reader. */
export const KIT_CREDENTIALS = {
  card: { credentialId: 'conformance-card-1', kind: 'card', value: 'C0FFEE01' },
  pin: { credentialId: 'conformance-pin-1', kind: 'pin', value: '2468' },
  qr: { credentialId: 'conformance-qr-1', kind: 'qr', value: 'conformance-qr-token-1' },
} as const

const ALL_WEEK = [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '00:00' }]

function command (purpose: CommandPurpose, name: CommandName, ts: string, body: Record<string, unknown>): PlannedCommand {
  const payload = { requestId: randomUUID(), ts, ...body }
  const checked = validateCommand(name, payload)
  if (!checked.ok) throw new Error(`the kit built an invalid ${name}: ${JSON.stringify(checked.errors)}`)
  return { purpose, name, payload }
}

export function configCommand (ts: string, settings: { heartbeatS: number; lineCountPeriodS?: number }): PlannedCommand {
  return command('config', 'config', ts, { ...settings })
}

/** The entries of the kit's lists, digested with `key`. */
function entries (key: Buffer) {
  const { card, pin, qr } = KIT_CREDENTIALS
  const e = (c: typeof card | typeof pin | typeof qr, extra: Partial<AllowEntry> = {}): AllowEntry =>
    ({ credentialId: c.credentialId, kind: c.kind, digest: presentedDigest(key, c.kind, c.value), ...extra })
  return { card: e(card), pin: e(pin, { windows: ALL_WEEK }), qr: e(qr, { validUntil: '2099-12-31T23:59:59Z', visitor: true }) }
}

/** `keyText`: the reader's allow-list key, 64 hex digits. */
export function allowlistCommands (ts: string, keyText: string): PlannedCommand[] {
  const v = KIT_VERSIONS
  const key = parseAllowlistKey(keyText)
  const keyId = allowlistKeyId(key)
  const own = entries(key)
  const foreign = entries(FOREIGN_KEY)
  return [
    command('allowlist-full', 'allowlist-sync', ts, { mode: 'full', version: v.full, keyId, remove: [], upsert: [own.card, own.pin] }),
    command('allowlist-delta', 'allowlist-sync', ts, {
      mode: 'delta', version: v.delta, baseVersion: v.full, keyId, remove: [own.card.credentialId], upsert: [own.qr],
    }),
    command('allowlist-gap', 'allowlist-sync', ts, { mode: 'delta', version: v.gap, baseVersion: v.gapBase, keyId, upsert: [], remove: [] }),
    // The delta's list, computed with a key the reader does not hold: it must refuse it and keep its own.
    command('allowlist-wrong-key', 'allowlist-sync', ts, {
      mode: 'full', version: v.delta, keyId: allowlistKeyId(FOREIGN_KEY), remove: [], upsert: [foreign.pin, foreign.qr],
    }),
  ]
}

export function openDoorCommand (ts: string, door: string): PlannedCommand {
  return command('open-door', 'open-door', ts, { door, durationS: 3, reason: 'rh/v1 conformance check' })
}
