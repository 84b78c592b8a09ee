// Where the uplink router sends each kind of accepted message, on recording
// stand-ins for the parts it routes to (the routing alone; the parts have
// tests of their own, and the end-to-end tests run the real ones).

import { describe, expect, it } from 'vitest'
import { sampleUplinks, UPLINK_CHANNELS, type UplinkChannel } from '../../protocol/index.ts'
import type { AcceptedMessage } from '../broker/ports.ts'
import type { AppendResult } from '../events/event-log.ts'
import { UplinkRouter } from './uplink-router.ts'

const message = (channel: UplinkChannel): AcceptedMessage => ({
  buildingId: 'b1', deviceId: 'd1', channel, payload: sampleUplinks()[channel], receivedAt: 1_000,
} as AcceptedMessage)

function router (appended: AppendResult = { fresh: true, logSeq: 7 }) {
  const seen: string[] = []
  const r = new UplinkRouter({
    commands: { replied: (d) => { seen.push(`command log ${d}`) } },
    pusher: { handleReply: (b, d) => { seen.push(`pusher ${b}/${d}`) } },
    eventLog: { append: async (m) => { seen.push(`event log ${m.channel}`); return appended } },
    pipeline: { push: (m, logSeq) => { seen.push(`pipeline ${m.channel} at ${logSeq}`) } },
    accepted$: { next: (m) => { seen.push(`accepted ${m.channel}`) } },
  })
  return { r, seen }
}

describe('UplinkRouter', () => {
  it('sends a reply to the command log and the allow-list pusher, nowhere else', async () => {
    const { r, seen } = router()
    expect(await r.accept(message('reply'))).toBeUndefined()
    expect(seen).toEqual(['command log d1', 'pusher b1/d1'])
  })

  it.each(UPLINK_CHANNELS.filter((c) => c.startsWith('event/') || c === 'status'))('logs %s first, then hands it to the pipeline with its position', async (channel) => {
    const { r, seen } = router()
    expect(await r.accept(message(channel))).toBeUndefined()
    expect(seen).toEqual([`event log ${channel}`, `pipeline ${channel} at 7`, `accepted ${channel}`])
  })

  it('hands a heartbeat to the pipeline without logging it', async () => {
    const { r, seen } = router()
    await r.accept(message('heartbeat'))
    expect(seen).toEqual(['pipeline heartbeat at null', 'accepted heartbeat'])
  })

  it('stops a duplicate at the event log', async () => {
    const { r, seen } = router({ fresh: false, logSeq: null })
    expect(await r.accept(message('event/access'))).toBeUndefined()
    expect(seen).toEqual(['event log event/access'])
  })

  it('refuses an event whose seq another event already has', async () => {
    const { r, seen } = router({ fresh: false, logSeq: null, conflict: 'seq_reused' })
    expect(await r.accept(message('event/door'))).toMatchObject({ code: 'seq_reused' })
    expect(seen).toEqual(['event log event/door'])
  })
})
