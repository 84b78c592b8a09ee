// Requirements on the way back from an outage the kit causes (listen mode):
// the device connects again with back-off (§5.5), goes online again (§5.4),
// and replays what it recorded meanwhile, oldest first, with the original
// times (§10.3).

import { channelOf, jsonObject, type Observation } from '../observation.ts'
import { fail, notChecked, pass, type CheckContext, type CheckResult } from '../result.ts'
import { seenEvents } from './event-checks.ts'
import { shown } from './message-checks.ts'

/** Shortest wait between connection attempts after a refused one (§5.5: at least 5 s), less measurement slack. */
const MIN_BACKOFF_MS = 4500

export function checkReconnect (o: Observation): CheckResult {
  const out = o.outage
  if (out === undefined) return notChecked(o.skipped.reconnect ?? 'the kit did not drop the connection')
  if (out.reconnection === undefined) {
    const refused = o.connects.filter((c) => !c.accepted).length
    return fail(`the device did not connect again after the kit dropped its connection (${refused} attempt(s) refused during the outage, none accepted after it)`)
  }
  const r = out.reconnection
  const online = o.publishes.find((p) => p.connection === r && channelOf(o, p.topic) === 'status' && jsonObject(p.payload)?.state === 'online')
  if (online === undefined) return fail(`connection ${r}: no online status after reconnecting`)
  const back = o.connects[r]!.at - out.droppedAt
  return pass([`back ${(back / 1000).toFixed(1)} s after the drop (the kit refused connections for ${(((out.reopenedAt ?? out.droppedAt) - out.droppedAt) / 1000).toFixed(1)} s)`])
}

export function checkBackoff (o: Observation): CheckResult {
  const out = o.outage
  if (out === undefined) return notChecked(o.skipped.reconnect ?? 'the kit did not drop the connection')
  const after = o.connects.filter((c) => c.at >= out.droppedAt && c.index > out.lastConnection)
  const firstRefused = after.findIndex((c) => !c.accepted)
  if (firstRefused < 0) return pass(['no attempt was refused: nothing to measure'])
  // Every attempt after a refused one waits: the refused ones, and the first accepted after them.
  const chain = after.slice(firstRefused)
  const end = chain.findIndex((c) => c.accepted)
  const attempts = end < 0 ? chain : chain.slice(0, end + 1)
  const gaps: number[] = []
  for (let i = 1; i < attempts.length; i++) {
    const gap = attempts[i]!.at - attempts[i - 1]!.at
    if (gap < MIN_BACKOFF_MS) {
      return fail(`tried again ${(gap / 1000).toFixed(1)} s after a refused attempt; wait at least 5 s, doubling`, { previous: attempts[i - 1], offending: attempts[i] })
    }
    gaps.push(gap)
  }
  return pass([gaps.length === 0 ? 'one attempt during the outage: no interval to measure' : `waits ${gaps.map((g) => (g / 1000).toFixed(1)).join(', ')} s`])
}

export function checkReplay (o: Observation, ctx: CheckContext): CheckResult {
  const out = o.outage
  if (out === undefined) return notChecked(o.skipped.reconnect ?? 'the kit did not drop the connection')
  if (out.reconnection === undefined) return notChecked('the device did not reconnect')
  const r = out.reconnection
  const backAt = o.connects[r]!.at
  const events = seenEvents(o)
  const before = new Set(events.filter((e) => e.p.connection <= out.lastConnection).map((e) => e.eventId))
  const onNew = events.filter((e) => e.p.connection === r)
  const replayed = onNew.filter((e) => Date.parse(e.ts) < backAt)
  const recordedOffline = replayed.filter((e) => !before.has(e.eventId) && Date.parse(e.ts) >= out.droppedAt - ctx.clockToleranceMs)
  if (recordedOffline.length === 0) {
    return fail('no event with a device time inside the outage arrived after reconnecting: nothing was recorded while offline ' +
      '(in a run with a real reader, present a card during the outage), the buffer was not replayed, or its events were sent with new times')
  }
  for (let i = 1; i < replayed.length; i++) {
    if (replayed[i]!.seq < replayed[i - 1]!.seq) return fail('buffered events were not replayed oldest first', { previous: shown(replayed[i - 1]!.p), offending: shown(replayed[i]!.p) })
  }
  const firstLive = onNew.findIndex((e) => Date.parse(e.ts) >= backAt)
  const lastReplayed = onNew.findLastIndex((e) => Date.parse(e.ts) < backAt)
  if (firstLive >= 0 && firstLive < lastReplayed) {
    return fail('a live event was sent before the buffered ones were all replayed', { live: shown(onNew[firstLive]!.p), buffered: shown(onNew[lastReplayed]!.p) })
  }
  const copies = replayed.length - recordedOffline.length
  return pass([`${recordedOffline.length} event(s) recorded during the outage replayed${copies > 0 ? `, ${copies} earlier unacknowledged event(s) sent again` : ''}`])
}
