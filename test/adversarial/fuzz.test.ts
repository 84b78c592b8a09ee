// A bounded run of the fuzzer against the real platform (its own process, the
// real broker on a real socket, the embedded database): mutated frames, random
// bytes after a valid CONNECT and malformed payloads from three attackers,
// while an honest reader's events must all be acknowledged, every alert they
// raise must reach the dispatch console, and logins must keep succeeding.
// `npm run fuzz -- --seconds N` runs the same for as long as you like.

import { describe, expect, it } from 'vitest'
import { runFuzz } from './fuzz-run.ts'

describe('fuzzer', () => {
  it('the platform stays up, refuses and counts what is malformed, and the honest device keeps working', async () => {
    const r = await runFuzz({ seconds: 8, seed: 'npm-test', sockets: 4, honestRate: 4 })
    expect(r.failures).toEqual([])
    // The attackers really attacked, and the platform saw it.
    expect(r.sent.mutatedFrames).toBeGreaterThan(5000)
    expect(r.sent.garbageChunks).toBeGreaterThan(100)
    expect(r.sent.malformedPayloads).toBeGreaterThan(500)
    expect(r.sent.closedByBroker).toBeGreaterThan(0)
    expect(Object.values(r.platform.guardViolations).reduce((a, b) => a + b, 0)).toBeGreaterThan(0)
    expect(r.platform.rejected.schema_invalid ?? 0).toBeGreaterThan(0)
    // The honest side did its part.
    expect(r.honest.events).toBeGreaterThan(20)
    expect(r.honest.connects).toBeGreaterThan(3)
  }, 180_000)
})
