// The reader decides from keyed digests (§7.2, §8.1): it refuses a list
// computed with a key other than its own, and every credential presented
// after the kit's syncs is granted or denied exactly as the list a conforming
// reader then holds says, the digest of what it read computed with its key.

import { parseAllowlistKey, type AllowlistSync, type CREDENTIAL_KINDS } from '../../../protocol/index.ts'
import { applySync, decide, EMPTY_ALLOWLIST, type HeldAllowlist } from '../../../protocol/device-client/index.ts'
import { jsonObject, onChannel, type Observation, type PublishRecord } from '../observation.ts'
import { fail, notChecked, pass, type CheckContext, type CheckResult } from '../result.ts'
import { repliesTo } from './command-checks.ts'
import { shown } from './message-checks.ts'

type Kind = (typeof CREDENTIAL_KINDS)[number]
const KINDS: readonly string[] = ['card', 'ic_card', 'qr', 'face', 'pin']
/** The kit's entries have all-week windows, so the zone the reader uses does not change a decision. */
const ZONE = 'Asia/Shanghai'

interface Presented { p: PublishRecord; eventId: string; at: number; kind: Kind; value: string; result: string; credentialId: string | undefined }

/** Access events that arrived after the syncs, once each (a replayed copy is the same decision). */
function presentedAfter (o: Observation, from: number, toleranceMs: number): Presented[] {
  const seen = new Set<string>()
  const out: Presented[] = []
  for (const p of onChannel(o, 'event/access')) {
    if (p.at < from) continue
    const e = jsonObject(p.payload)
    const c = e?.credential as Record<string, unknown> | undefined
    const at = typeof e?.ts === 'string' ? Date.parse(e.ts) : NaN
    if (typeof e?.eventId !== 'string' || seen.has(e.eventId) || !(at >= from - toleranceMs)) continue
    if (typeof c?.kind !== 'string' || !KINDS.includes(c.kind) || typeof c.value !== 'string' || typeof e.result !== 'string') continue
    seen.add(e.eventId)
    out.push({ p, eventId: e.eventId, at, kind: c.kind as Kind, value: c.value, result: e.result, credentialId: typeof c.credentialId === 'string' ? c.credentialId : undefined })
  }
  return out
}

/** What a reader that follows §8.1 holds after the kit's syncs. */
function expectedList (o: Observation, key: Buffer): HeldAllowlist {
  let held = EMPTY_ALLOWLIST
  for (const c of o.commands) {
    if (c.name !== 'allowlist-sync') continue
    const out = applySync(held, c.payload as unknown as AllowlistSync, key)
    if (out.ok) held = out.list
  }
  return held
}

function judge (d: Presented, held: HeldAllowlist, key: Buffer): string | undefined {
  if (d.kind === 'pin') {
    // The PIN typed is not in the event: only a grant can be judged, by the entry it names.
    if (d.result !== 'granted') return undefined
    const entry = d.credentialId === undefined ? undefined : held.byId.get(d.credentialId)
    return entry?.kind === 'pin' ? undefined : `a PIN was granted as ${JSON.stringify(d.credentialId ?? null)}, which is no PIN entry of the list the reader holds`
  }
  const want = decide(held, key, d.kind, d.value, d.at, ZONE)
  if (want.result === d.result && want.credentialId === d.credentialId) return undefined
  const expected = want.result === 'granted' ? `granted as ${want.credentialId}` : 'denied, without credentialId'
  return `${d.kind} ${JSON.stringify(d.value)} was ${d.result}${d.credentialId === undefined ? '' : ` as ${d.credentialId}`}; ` +
    `by the digests of the list it holds it must be ${expected}`
}

export function checkAllowlistDigests (o: Observation, ctx: CheckContext): CheckResult {
  const syncs = o.commands.filter((c) => c.name === 'allowlist-sync')
  if (syncs.length === 0) return notChecked(o.skipped.commands ?? 'the kit sent no allow-list sync')
  const notes: string[] = []
  const foreign = syncs.find((c) => c.purpose === 'allowlist-wrong-key')
  const answer = foreign === undefined ? undefined : repliesTo(o, foreign)[0]
  if (foreign !== undefined && answer === undefined) notes.push('no reply to the list under another key: judged by the decisions alone')
  if (answer !== undefined) {
    const body = jsonObject(answer.payload)
    const code = (body?.error as { code?: unknown } | undefined)?.code
    if (body?.status !== 'error' || code !== 'wrong_key') {
      return fail(`a list computed with another key (keyId ${String(foreign?.payload.keyId)}) must be answered with error wrong_key, changing nothing`, shown(answer))
    }
  }
  if (o.decisionsFrom === undefined) return notChecked('the allow-list syncs did not complete')
  const key = parseAllowlistKey(ctx.allowlistKey)
  const held = expectedList(o, key)
  const decisions = presentedAfter(o, o.decisionsFrom, ctx.clockToleranceMs)
  for (const d of decisions) {
    const wrong = judge(d, held, key)
    if (wrong !== undefined) return fail(wrong, shown(d.p), notes)
  }
  if (decisions.length === 0) {
    return notChecked('no credential was presented after the allow-list syncs: present the kit\'s test QR code and PIN (docs/conformance.md) to have the decisions checked')
  }
  return pass([`${decisions.length} decision(s) match the digests of the list held`, ...notes])
}
