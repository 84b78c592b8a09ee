// Accepted device message -> PipelineEvent: parse device time, look up the
// presented credential in the in-memory registry view. Pure and synchronous.

import type { AcceptedMessage } from '../broker/ports.ts'
import type { PipelineEvent, RegistryView } from './model.ts'

/** Card numbers are compared upper case, as the registry stores them. */
function normalisedValue (kind: string, value: string): string {
  return kind === 'card' || kind === 'ic_card' ? value.toUpperCase() : value
}

/** Returns undefined for channels the rules do not read (`reply`). */
export function enrich (m: AcceptedMessage, view: RegistryView): PipelineEvent | undefined {
  const base = { deviceId: m.deviceId, buildingId: m.buildingId, receivedAt: m.receivedAt }
  switch (m.channel) {
    case 'event/access': {
      const p = m.payload
      const value = normalisedValue(p.credential.kind, p.credential.value)
      const byId = p.credential.credentialId === undefined ? undefined : view.credentialById(p.credential.credentialId)
      const match = byId ?? (p.credential.kind === 'pin' ? undefined : view.credentialByValue(p.credential.kind, value))
      const credential: { kind: typeof p.credential.kind; value: string; credentialId?: string } = { kind: p.credential.kind, value }
      if (p.credential.credentialId !== undefined) credential.credentialId = p.credential.credentialId
      const e: PipelineEvent = {
        ...base, kind: 'access', ref: `${m.deviceId}/${p.eventId}`, at: Date.parse(p.ts), seq: p.seq, door: p.door,
        direction: p.direction, credential, result: p.result, match,
      }
      if (p.reason !== undefined) e.reason = p.reason
      return e
    }
    case 'event/door': {
      const p = m.payload
      const e: PipelineEvent = { ...base, kind: 'door', ref: `${m.deviceId}/${p.eventId}`, at: Date.parse(p.ts), seq: p.seq, door: p.door, state: p.state }
      if (p.durationS !== undefined) e.durationS = p.durationS
      return e
    }
    case 'event/line': {
      const p = m.payload
      return { ...base, kind: 'line', ref: `${m.deviceId}/${p.eventId}`, at: Date.parse(p.ts), seq: p.seq, door: p.door, in: p.in, out: p.out, periodS: p.periodS }
    }
    case 'event/person': {
      const p = m.payload
      const e: PipelineEvent = { ...base, kind: 'person', ref: `${m.deviceId}/${p.eventId}`, at: Date.parse(p.ts), seq: p.seq, count: p.count }
      if (p.door !== undefined) e.door = p.door
      if (p.zone !== undefined) e.zone = p.zone
      return e
    }
    case 'status': {
      const p = m.payload
      const e: PipelineEvent = {
        ...base, kind: 'status', ref: `${m.deviceId}/status/${m.receivedAt}`, at: p.ts === undefined ? m.receivedAt : Date.parse(p.ts),
        state: p.state === 'online' ? 'online' : 'offline',
      }
      if (p.reason !== undefined) e.reason = p.reason
      return e
    }
    case 'heartbeat': {
      const p = m.payload
      return { ...base, kind: 'heartbeat', ref: `${m.deviceId}/heartbeat/${m.receivedAt}`, at: Date.parse(p.ts), uptimeS: p.uptimeS }
    }
    default:
      return undefined
  }
}
