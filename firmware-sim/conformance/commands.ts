// The commands the kit sends, built fresh for each run (new requestIds), and
// checked against their schemas before they go out.

import { createHash, randomUUID } from 'node:crypto'
import { validateCommand, type CommandName } from '../../protocol/index.ts'
import type { CommandPurpose } from './observation.ts'

export interface PlannedCommand {
  purpose: CommandPurpose
  name: CommandName
  payload: Record<string, unknown> & { requestId: string }
}

/** Allow-list versions the kit uses: the full sync, the delta on it, then a delta on a version the reader cannot hold. */
export const KIT_VERSIONS = { full: 101, delta: 102, gapBase: 103, gap: 104 } as const

/** PIN of the kit's test PIN entry (the allow-list carries only its hash). */
export const KIT_PIN = '2468'
const KIT_PIN_HASH = `sha256:${createHash('sha256').update(KIT_PIN).digest('hex')}`

function command (purpose: CommandPurpose, name: CommandName, ts: string, body: Record<string, unknown>): PlannedCommand {
  const payload = { requestId: randomUUID(), ts, ...body }
  const checked = validateCommand(name, payload)
  if (!checked.ok) throw new Error(`the kit built an invalid ${name}: ${JSON.stringify(checked.errors)}`)
  return { purpose, name, payload }
}

export function configCommand (ts: string, settings: { heartbeatS: number; lineCountPeriodS?: number }): PlannedCommand {
  return command('config', 'config', ts, { ...settings })
}

export function allowlistCommands (ts: string): PlannedCommand[] {
  const v = KIT_VERSIONS
  return [
    command('allowlist-full', 'allowlist-sync', ts, {
      mode: 'full', version: v.full, remove: [],
      upsert: [
        { credentialId: 'conformance-card-1', kind: 'card', value: 'C0FFEE01' },
        { credentialId: 'conformance-pin-1', kind: 'pin', value: KIT_PIN_HASH, windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '00:00' }] },
      ],
    }),
    command('allowlist-delta', 'allowlist-sync', ts, {
      mode: 'delta', version: v.delta, baseVersion: v.full, remove: ['conformance-card-1'],
      upsert: [{ credentialId: 'conformance-qr-1', kind: 'qr', value: 'conformance-qr-token-1', validUntil: '2099-12-31T23:59:59Z', visitor: true }],
    }),
    command('allowlist-gap', 'allowlist-sync', ts, { mode: 'delta', version: v.gap, baseVersion: v.gapBase, upsert: [], remove: [] }),
  ]
}

export function openDoorCommand (ts: string, door: string): PlannedCommand {
  return command('open-door', 'open-door', ts, { door, durationS: 3, reason: 'rh/v1 conformance check' })
}
