// Requirements on command handling: one reply per command with its requestId
// (§8, §7.8), and the allow-list version rules of readers (§8.1).

import { jsonObject, onChannel, type CommandPurpose, type CommandRecord, type Observation, type PublishRecord } from '../observation.ts'
import { fail, notChecked, pass, type CheckContext, type CheckResult } from '../result.ts'
import { shown } from './message-checks.ts'

export function repliesTo (o: Observation, c: CommandRecord): PublishRecord[] {
  return onChannel(o, 'reply').filter((p) => jsonObject(p.payload)?.requestId === c.requestId)
}

export function checkCommandReplies (o: Observation, ctx: CheckContext): CheckResult {
  if (o.commands.length === 0) return notChecked(o.skipped.commands ?? 'the kit sent no commands')
  const notes: string[] = []
  for (const c of o.commands) {
    const replies = repliesTo(o, c)
    const label = `${c.name} (${c.purpose}, requestId ${c.requestId})`
    if (replies.length === 0) return fail(`no reply to ${label} within ${ctx.replyTimeoutMs / 1000} s`, { command: c.payload })
    if (replies.length > 1) return fail(`${replies.length} replies to ${label}; exactly one is expected`, replies.map(shown))
    const r = replies[0]!
    const body = jsonObject(r.payload)
    const late = r.realAt - c.realAt
    if (late > ctx.replyTimeoutMs) return fail(`the reply to ${label} came after ${(late / 1000).toFixed(1)} s (at most ${ctx.replyTimeoutMs / 1000} s)`, shown(r))
    if (body?.command !== c.name) return fail(`the reply to ${label} names command ${JSON.stringify(body?.command)}`, shown(r))
    if ((c.purpose === 'open-door' || c.purpose === 'config') && body.status !== 'ok') {
      return fail(`${label} was answered with an error; a ${c.purpose} the device supports must succeed`, shown(r))
    }
    notes.push(`${c.purpose}: ${(late / 1000).toFixed(2)} s`)
  }
  const asked = new Set(o.commands.map((c) => c.requestId))
  const stray = onChannel(o, 'reply').filter((p) => !asked.has(String(jsonObject(p.payload)?.requestId)))
  if (stray.length > 0) notes.push(`${stray.length} reply(ies) to requestIds the kit never sent`)
  return pass(notes)
}

type Step = { purpose: CommandPurpose; verdict: 'ok' | 'unknown' } | { purpose: CommandPurpose; verdict: 'wrong'; why: string; offending: unknown }

function judge (o: Observation, c: CommandRecord): Step {
  const r = repliesTo(o, c)[0]
  if (r === undefined) return { purpose: c.purpose, verdict: 'unknown' }
  const body = jsonObject(r.payload)
  const version = c.payload.version
  if (c.purpose === 'allowlist-gap') {
    const code = (body?.error as { code?: unknown } | undefined)?.code
    return body?.status === 'error' && code === 'version_gap'
      ? { purpose: c.purpose, verdict: 'ok' }
      : { purpose: c.purpose, verdict: 'wrong', why: `a delta on base version ${String(c.payload.baseVersion)} (not the version held) must be answered with error version_gap`, offending: shown(r) }
  }
  const held = (body?.data as { version?: unknown } | undefined)?.version
  return body?.status === 'ok' && held === version
    ? { purpose: c.purpose, verdict: 'ok' }
    : { purpose: c.purpose, verdict: 'wrong', why: `${c.purpose} to version ${String(version)} must be answered ok with data.version ${String(version)}`, offending: shown(r) }
}

export function checkAllowlistSync (o: Observation): CheckResult {
  // The list under another key is the digests requirement's (decision-checks.ts).
  const syncs = o.commands.filter((c) => c.name === 'allowlist-sync' && c.purpose !== 'allowlist-wrong-key')
  if (syncs.length === 0) return notChecked(o.skipped.commands ?? 'the kit sent no allow-list sync')
  const steps = syncs.map((c) => judge(o, c))
  const wrong = steps.find((s) => s.verdict === 'wrong')
  if (wrong !== undefined && wrong.verdict === 'wrong') return fail(wrong.why, wrong.offending)
  // After the last sync the reader must hold the delta's version: the gap changed nothing.
  const delta = syncs.find((c) => c.purpose === 'allowlist-delta')
  const last = syncs[syncs.length - 1]!
  const expected = delta?.payload.version
  const after = onChannel(o, 'heartbeat')
    .filter((p) => p.at > last.at)
    .map((p) => ({ p, v: jsonObject(p.payload)?.allowlistVersion }))
    .filter((h) => typeof h.v === 'number')
  const stale = after.find((h) => h.v !== expected)
  const outage = o.outage?.droppedAt ?? Infinity
  if (stale !== undefined && stale.p.at < outage) {
    return fail(`a heartbeat after the syncs reports allow-list version ${String(stale.v)}; the reader should hold ${String(expected)}`, shown(stale.p))
  }
  const unknown = steps.filter((s) => s.verdict === 'unknown').map((s) => s.purpose)
  if (unknown.length === 0) return pass()
  if (after.length > 0) return pass([`no reply to ${unknown.join(', ')}: judged by the heartbeat's allowlistVersion ${String(expected)}`])
  return notChecked(`no reply to ${unknown.join(', ')} and no heartbeat allowlistVersion to judge by`)
}
