// Requirements on the CONNECT and the SUBSCRIBE (listen mode only: the kit
// is the broker and sees the packets).

import { COMMAND_NAMES, LAST_WILL_PAYLOAD, lastWillProblem } from '../../../protocol/index.ts'
import { deviceTree, onChannel, type ConnectRecord, type Observation } from '../observation.ts'
import { fail, notChecked, pass, type CheckResult } from '../result.ts'

/** A CONNECT as printed in a report: everything but the password. */
export function connectSummary (c: ConnectRecord): Record<string, unknown> {
  return {
    attempt: c.index, clientId: c.clientId, username: c.username ?? null, password: c.hasPassword ? '(set)' : '(none)',
    protocol: `${c.protocolId ?? '?'} level ${c.protocolVersion ?? '?'}`, keepalive: c.keepalive ?? null, clean: c.clean ?? null,
    will: c.will ?? null,
  }
}

function firstBad (o: Observation, problem: (c: ConnectRecord) => string | undefined): CheckResult | undefined {
  for (const c of o.connects) {
    const p = problem(c)
    if (p !== undefined) return fail(`${p} (connection attempt ${c.index})`, connectSummary(c))
  }
  return undefined
}

export function checkIdentity (o: Observation): CheckResult {
  if (o.connects.length === 0) return fail(`no connection from client id or user name ${o.deviceId}`)
  return firstBad(o, (c) => {
    if (c.clientId !== o.deviceId) return `client id ${JSON.stringify(c.clientId)} is not the device id ${JSON.stringify(o.deviceId)}`
    if (c.username !== o.deviceId) return `user name ${JSON.stringify(c.username ?? null)} is not the device id`
    if (!c.hasPassword) return 'no password: the device secret must be sent as the password'
    const v311 = c.protocolId === 'MQTT' && c.protocolVersion === 4
    const v31 = c.protocolId === 'MQIsdp' && c.protocolVersion === 3
    if (!v311 && !v31) return `protocol ${c.protocolId ?? '?'} level ${c.protocolVersion ?? '?'} is not MQTT 3.1.1`
    return undefined
  }) ?? pass([
    `${o.connects.length} connection attempt(s) checked`,
    ...(o.others.length > 0 ? [`other clients connected and were not judged: ${[...new Set(o.others)].join(', ')}`] : []),
  ])
}

export function checkKeepalive (o: Observation): CheckResult {
  if (o.connects.length === 0) return notChecked('the device never connected')
  const bad = firstBad(o, (c) => {
    const k = c.keepalive ?? 0
    return k >= 1 && k <= 1200 ? undefined : `keep-alive ${k} s is outside 1..1200 s`
  })
  if (bad) return bad
  const odd = o.connects.filter((c) => (c.keepalive ?? 0) < 30 || (c.keepalive ?? 0) > 60)
  return pass(odd.length > 0 ? [`keep-alive ${odd[0]!.keepalive} s: 30 to 60 s is recommended`] : [])
}

export function checkLastWill (o: Observation): CheckResult {
  if (o.connects.length === 0) return notChecked('the device never connected')
  const statusTopic = `${deviceTree(o)}status`
  const notes = new Set<string>()
  const bad = firstBad(o, (c) => {
    const w = c.will
    if (w === undefined) return 'the CONNECT carries no last will'
    if (w.topic !== statusTopic) return `the will topic ${JSON.stringify(w.topic)} is not the device's status topic ${statusTopic}`
    if (!w.retain) return 'the will is not retained'
    if (w.qos > 1) return `will QoS ${w.qos}: at most 1`
    // The same check as the broker's at CONNECT: a variant would be refused with CONNACK 5.
    const problem = lastWillProblem(Buffer.from(w.payload, 'utf8'))
    if (problem !== undefined) return `the will payload ${JSON.stringify(w.payload)} is refused: it ${problem}`
    if (w.qos === 0) notes.add('will QoS 0 is accepted; QoS 1 is what the checklist asks for')
    if (w.payload !== LAST_WILL_PAYLOAD) notes.add(`the will payload is accepted; byte for byte it should be exactly ${LAST_WILL_PAYLOAD}`)
    return undefined
  })
  return bad ?? pass([...notes])
}

/** Filters a connection subscribed to, and whether each came before its first status. */
export function checkSubscriptions (o: Observation): CheckResult {
  const tree = deviceTree(o)
  const accepted = o.connects.filter((c) => c.accepted)
  if (accepted.length === 0) return notChecked('the device never got connected')
  const notes: string[] = []
  for (const c of accepted) {
    const subs = o.subscribes.filter((s) => s.connection === c.index)
    if (subs.length === 0 && c.clean === false) {
      notes.push(`connection ${c.index}: clean session 0 and no SUBSCRIBE (relies on the kept session)`)
      continue
    }
    const firstStatus = onChannel(o, 'status').find((p) => p.connection === c.index)
    const allowed = new Set([`${tree}command/+`, `${tree}error`, ...COMMAND_NAMES.map((n) => `${tree}command/${n}`)])
    for (const s of subs) {
      if (!allowed.has(s.filter)) return fail(`connection ${c.index}: subscribes to ${JSON.stringify(s.filter)}, which is not one of the device's two filters`, s)
      if (s.qos !== 1) return fail(`connection ${c.index}: subscribes to ${s.filter} at QoS ${s.qos}; request QoS 1`, s)
    }
    const has = (f: string): typeof subs[number] | undefined => subs.find((s) => s.filter === `${tree}${f}`)
    const command = has('command/+') ?? (o.kind === 'reader' ? undefined : has('command/config'))
    const named = COMMAND_NAMES.every((n) => has(`command/${n}`) !== undefined)
    if (command === undefined && !named) return fail(`connection ${c.index}: no subscription to ${tree}command/+`, subs)
    const error = has('error')
    if (error === undefined) return fail(`connection ${c.index}: no subscription to ${tree}error`, subs)
    if (firstStatus !== undefined) {
      const late = subs.find((s) => s.n > firstStatus.n)
      if (late) return fail(`connection ${c.index}: subscribed to ${late.filter} after publishing its status; subscribe first (§5.4)`, late)
    }
  }
  return pass(notes)
}
