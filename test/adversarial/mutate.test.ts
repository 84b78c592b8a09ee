import { describe, expect, it } from 'vitest'
import { Rng } from '../../firmware-sim/world/rng.ts'
import { decodeUplink, UPLINK_CHANNELS } from '../../protocol/index.ts'
import { validFrames, validPayloads } from './corpus.ts'
import { mutateFrame, mutatePayload } from './mutate.ts'

const device = { deviceId: 'fz-1', buildingId: 'b-1', password: 'secret' }

describe('mutations', () => {
  it('are a function of the seed: the same seed sends the same bytes', () => {
    const frames = validFrames(device)
    const run = (seed: string): Buffer[] => {
      const rng = new Rng(seed)
      return Array.from({ length: 500 }, () => mutateFrame(rng, rng.pick(frames), rng.pick(frames)))
    }
    expect(Buffer.concat(run('a'))).toEqual(Buffer.concat(run('a')))
    expect(Buffer.concat(run('a'))).not.toEqual(Buffer.concat(run('b')))
  })

  it('change frames, and mostly break payloads (a few stay valid, as real traffic can)', () => {
    const rng = new Rng('m')
    const frames = validFrames(device)
    let unchanged = 0
    for (let i = 0; i < 2000; i++) {
      const f = rng.pick(frames)
      if (mutateFrame(rng, f, rng.pick(frames)).equals(f)) unchanged++
    }
    expect(unchanged).toBeLessThan(100)
    const samples = validPayloads()
    let valid = 0
    for (let i = 0; i < 2000; i++) {
      const channel = rng.pick(UPLINK_CHANNELS)
      if (decodeUplink(channel, mutatePayload(rng, samples[channel])).ok) valid++
    }
    expect(valid).toBeLessThan(400)
    for (const c of UPLINK_CHANNELS) expect(decodeUplink(c, Buffer.from(JSON.stringify(samples[c]))).ok).toBe(true)
  })
})
