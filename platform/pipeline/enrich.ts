// Accepted device message -> PipelineEvent: parse device time, look up the
// presented credential in the in-memory registry view, name the presented
// value by its keyed digest. Pure and synchronous.

import type { AcceptedMessage } from '../broker/ports.ts'
import type { PipelineEvent, PresentedKeyOf, RegistryView } from './model.ts'

/** Card numbers are compared upper case, as the registry stores them. */
function normalisedValue (kind: string, value: string): string {
  return kind === 'card' || kind === 'ic_card' ? value.toUpperCase() : value
}

/**
 * Returns undefined for channels the rules do not read (`reply`), and for
 * everything from a device that waits for the landlord's first approval: a
 * vendor's bench device must not raise alerts in a live building (one that
 * has served stays judged while its approval is withdrawn). Objects are built
 * literally, field by field (no spreads): this runs for every event and the
 * rules read them on hot paths.
 */
export function enrich (m: AcceptedMessage, view: RegistryView, keyOf: PresentedKeyOf): PipelineEvent | undefined {
  const { deviceId, buildingId, receivedAt } = m
  if (view.device(deviceId)?.judged === false) return undefined
  switch (m.channel) {
    case 'event/access': {
      const p = m.payload
      const value = normalisedValue(p.credential.kind, p.credential.value)
      const presentedId = p.credential.credentialId
      const byId = presentedId === undefined ? undefined : view.credentialById(presentedId)
      const match = byId ?? (p.credential.kind === 'pin' ? undefined : view.credentialByValue(p.credential.kind, value, buildingId))
      const credential: { kind: typeof p.credential.kind; value: string; key: string; credentialId?: string } = {
        // A PIN's value is always "entered": what names it is the allow-list entry the reader matched.
        kind: p.credential.kind, value, key: keyOf(p.credential.kind, p.credential.kind === 'pin' ? presentedId ?? value : value),
      }
      if (presentedId !== undefined) credential.credentialId = presentedId
      const e: PipelineEvent = {
        kind: 'access', deviceId, buildingId, ref: `${deviceId}/${p.eventId}`, at: Date.parse(p.ts), receivedAt, seq: p.seq,
        door: p.door, direction: p.direction, credential, result: p.result, match,
      }
      if (p.reason !== undefined) e.reason = p.reason
      return e
    }
    case 'event/door': {
      const p = m.payload
      const e: PipelineEvent = { kind: 'door', deviceId, buildingId, ref: `${deviceId}/${p.eventId}`, at: Date.parse(p.ts), receivedAt, seq: p.seq, door: p.door, state: p.state }
      if (p.durationS !== undefined) e.durationS = p.durationS
      return e
    }
    case 'event/line': {
      const p = m.payload
      return { kind: 'line', deviceId, buildingId, ref: `${deviceId}/${p.eventId}`, at: Date.parse(p.ts), receivedAt, seq: p.seq, door: p.door, in: p.in, out: p.out, periodS: p.periodS }
    }
    case 'event/person': {
      const p = m.payload
      const e: PipelineEvent = { kind: 'person', deviceId, buildingId, ref: `${deviceId}/${p.eventId}`, at: Date.parse(p.ts), receivedAt, seq: p.seq, count: p.count }
      if (p.door !== undefined) e.door = p.door
      if (p.zone !== undefined) e.zone = p.zone
      return e
    }
    case 'status': {
      const p = m.payload
      const e: PipelineEvent = {
        kind: 'status', deviceId, buildingId, ref: `${deviceId}/status/${receivedAt}`, at: p.ts === undefined ? receivedAt : Date.parse(p.ts),
        receivedAt, state: p.state === 'online' ? 'online' : 'offline',
      }
      if (p.reason !== undefined) e.reason = p.reason
      return e
    }
    case 'heartbeat': {
      const p = m.payload
      return { kind: 'heartbeat', deviceId, buildingId, ref: `${deviceId}/heartbeat/${receivedAt}`, at: Date.parse(p.ts), receivedAt, uptimeS: p.uptimeS }
    }
    default:
      return undefined
  }
}
