// One valid message per channel: for tests, the simulator and anyone wiring
// the protocol who needs a known-good payload. Each call returns a fresh copy.

import type { CommandPayloads, UplinkPayloads } from './messages.ts'
import type { ErrorReply } from './schemas/error-reply.ts'

export function sampleUplinks (): UplinkPayloads {
  return {
    'event/access': {
      eventId: '0b6f1c9e-3c1a-4d2e-9a51-2f3c4d5e6f70',
      seq: 1042,
      ts: '2025-03-01T08:15:30.250+08:00',
      door: 'main-gate',
      direction: 'in',
      credential: { kind: 'ic_card', value: 'E0040150A1B2C3D4', credentialId: 'cred-7781' },
      result: 'granted',
    },
    'event/door': {
      eventId: 'd3b07384-d9a0-4c9b-8c3e-1b2a3c4d5e6f',
      seq: 1043,
      ts: '2025-03-01T08:17:02Z',
      door: 'main-gate',
      state: 'held_open',
      durationS: 90,
    },
    'event/line': {
      eventId: 'a1b2c3d4-0001-4000-8000-000000000001',
      seq: 88,
      ts: '2025-03-01T08:16:00Z',
      door: 'main-gate',
      in: 3,
      out: 1,
      periodS: 60,
    },
    'event/person': {
      eventId: 'a1b2c3d4-0002-4000-8000-000000000002',
      seq: 89,
      ts: '2025-03-01T08:16:05.100Z',
      door: 'main-gate',
      zone: 'lobby',
      count: 2,
      confidence: 0.93,
      snapshot: 'nvr://cam-lobby-1/snapshots/20250301-081605-100.jpg',
    },
    status: {
      state: 'online',
      ts: '2025-03-01T08:00:00Z',
      firmware: '2.4.1',
      vendor: 'Acme',
      model: 'AR-200',
      doors: ['main-gate'],
    },
    heartbeat: { ts: '2025-03-01T08:16:00Z', seq: 1043, uptimeS: 86400, firmware: '2.4.1', allowlistVersion: 17 },
    reply: { requestId: 'req-5f2a', command: 'allowlist-sync', status: 'ok', data: { version: 17 } },
  }
}

export function sampleCommands (): CommandPayloads {
  return {
    'allowlist-sync': {
      requestId: 'req-5f2a',
      ts: '2025-03-01T08:10:00Z',
      mode: 'delta',
      version: 17,
      baseVersion: 16,
      keyId: 'ofYAob68XSIm',
      upsert: [
        {
          credentialId: 'cred-7781',
          kind: 'ic_card',
          digest: 'hmac-sha256:FWkJDsDogeGNnTgBoWC6Iw',
          validFrom: '2025-03-01T00:00:00+08:00',
          validUntil: '2026-02-28T23:59:59+08:00',
        },
        {
          credentialId: 'cred-7782',
          kind: 'pin',
          digest: 'hmac-sha256:UsLuaEabWwpszOBW5Ty1nw',
          windows: [{ days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' }],
          visitor: true,
        },
      ],
      remove: ['cred-6001'],
    },
    'open-door': { requestId: 'req-77aa', ts: '2025-03-01T09:00:00Z', door: 'main-gate', durationS: 5, reason: 'courier' },
    config: { requestId: 'req-77ab', ts: '2025-03-01T09:00:00Z', heartbeatS: 30, timezone: 'Asia/Shanghai' },
  }
}

export function sampleErrorReply (): ErrorReply {
  return {
    code: 'schema_invalid',
    message: 'payload does not match schema rh/v1/access-event',
    topic: 'rh/v1/bldg-01/reader-01/event/access',
    eventId: '0b6f1c9e-3c1a-4d2e-9a51-2f3c4d5e6f70',
    errors: [{ path: '/direction', message: 'must be one of: "in", "out"' }],
  }
}
