// Requirements on every message the device publishes: its online status,
// schemas, topics, QoS and retain flags, and its clock.

import { decodeUplink, isUplinkChannel, ownStatusProblem, UPLINK_DELIVERY, type DeviceStatus, type UplinkChannel } from '../../../protocol/index.ts'
import { channelOf, deviceTree, jsonObject, onChannel, printable, type Observation, type PublishRecord } from '../observation.ts'
import { fail, notChecked, pass, type CheckContext, type CheckResult } from '../result.ts'

/** A publish as a report shows it: the payload as JSON when it is a small JSON object, else as (truncated) text. */
export function shown (p: PublishRecord): Record<string, unknown> {
  const json = p.payload.byteLength <= 2000 ? jsonObject(p.payload) : undefined
  return { topic: p.topic, qos: p.qos, retain: p.retain, payload: json ?? printable(p.payload) }
}

/** Channels whose messages come from the kit or the platform, not the device (broker mode sees them too). */
const downlink = (channel: string): boolean => channel.startsWith('command/') || channel === 'error'

/** The device's own uplink messages on one of the seven channels. */
function uplinks (o: Observation): Array<{ p: PublishRecord; channel: UplinkChannel }> {
  const out: Array<{ p: PublishRecord; channel: UplinkChannel }> = []
  for (const p of o.publishes) {
    const c = channelOf(o, p.topic)
    if (c !== undefined && isUplinkChannel(c)) out.push({ p, channel: c })
  }
  return out
}

export function checkOnlineStatus (o: Observation): CheckResult {
  if (o.mode === 'broker') {
    const r = o.retainedStatus
    if (r === undefined) return notChecked('the retained status could not be read')
    if (r === null) return fail(`the broker holds no retained status on ${deviceTree(o)}status`)
    const s = jsonObject(r.payload)
    if (s?.state !== 'online' || typeof s.ts !== 'string') return fail('the retained status is not an online status with ts', { payload: printable(r.payload) })
    return pass(['checked on the retained copy the broker held at the end of the run'])
  }
  const accepted = o.connects.filter((c) => c.accepted)
  if (accepted.length === 0) return notChecked('the device never got connected')
  for (const c of accepted) {
    const mine = o.publishes.filter((p) => p.connection === c.index)
    const first = mine.find((p) => channelOf(o, p.topic) === 'status')
    if (first === undefined) return fail(`connection ${c.index}: no status was published after the CONNACK`)
    const s = jsonObject(first.payload)
    if (s?.state !== 'online') return fail(`connection ${c.index}: the first status is not "state":"online"`, shown(first))
    if (typeof s.ts !== 'string') return fail(`connection ${c.index}: the online status has no ts`, shown(first))
    if (!first.retain) return fail(`connection ${c.index}: the online status is not retained`, shown(first))
    const before = mine.find((p) => p.n < first.n)
    if (before) return fail(`connection ${c.index}: published before its online status`, shown(before))
  }
  return pass([`${accepted.length} connection(s) checked`])
}

export function checkSchemas (o: Observation): CheckResult {
  const bad: Array<{ p: PublishRecord; detail: unknown }> = []
  const all = uplinks(o)
  for (const { p, channel } of all) {
    const d = decodeUplink(channel, p.payload)
    if (!d.ok) {
      bad.push({ p, detail: { code: d.code, message: d.message, errors: d.errors } })
      continue
    }
    // What the schema cannot say: a device's own status never carries the will's reason (the platform drops
    // it). Only in listen mode are the device's publishes told apart from the will the broker publishes.
    const own = channel === 'status' && o.mode === 'listen' ? ownStatusProblem(d.value as DeviceStatus) : undefined
    if (own !== undefined) bad.push({ p, detail: { code: 'schema_invalid', message: own.message, errors: [own] } })
  }
  if (all.length === 0) return notChecked('the device published nothing on its uplink channels')
  if (bad.length > 0) {
    const first = bad[0]!
    return fail(`${bad.length} of ${all.length} messages break their channel's schema`, { ...shown(first.p), ...(first.detail as object) })
  }
  return pass([`${all.length} messages valid`])
}

export function checkTopics (o: Observation): CheckResult {
  const tree = deviceTree(o)
  const notes: string[] = []
  for (const p of o.publishes) {
    const c = channelOf(o, p.topic)
    if (o.mode === 'broker' && c !== undefined && downlink(c)) continue
    if (p.topic.startsWith('$')) return fail('publishes to a topic starting with $', shown(p))
    if (c === undefined) return fail(`publishes outside its own tree ${tree}`, shown(p))
    if (downlink(c)) return fail(`publishes on ${c}, where only the platform publishes`, shown(p))
    if (!isUplinkChannel(c)) return fail(`publishes on ${JSON.stringify(c)}, which is not one of the seven uplink channels`, shown(p))
    if (p.qos > 1) return fail('publishes at QoS 2, which is never allowed', shown(p))
  }
  if (o.mode === 'broker') notes.push(`broker mode: only topics below ${tree} are visible, and not who published on command/ and error`)
  return pass(notes)
}

export function checkQosRetain (o: Observation): CheckResult {
  for (const { p, channel } of uplinks(o)) {
    const d = UPLINK_DELIVERY[channel]
    if (p.qos > d.maxQos || (d.qos === 1 && p.qos !== 1)) return fail(`${channel} published at QoS ${p.qos}; the protocol asks for QoS ${d.qos === 1 ? '1' : '0 or 1'}`, shown(p))
    if (o.mode === 'listen' && channel !== 'status' && p.retain) return fail(`${channel} published with the retain flag; only status is retained`, shown(p))
  }
  return pass(o.mode === 'broker' ? ['broker mode: retain flags are not visible to a subscriber'] : [])
}

/** Online statuses and heartbeats carry the device clock: it must be within the tolerance of the kit's. */
export function checkClock (o: Observation, ctx: CheckContext): CheckResult {
  let measured = 0
  let worst = 0
  for (const p of [...onChannel(o, 'status'), ...onChannel(o, 'heartbeat')]) {
    if (p.retain && o.mode === 'broker') continue // a retained copy was published earlier
    const m = jsonObject(p.payload)
    if (typeof m?.ts !== 'string' || (channelOf(o, p.topic) === 'status' && m.state !== 'online')) continue
    const t = Date.parse(m.ts)
    if (Number.isNaN(t)) continue
    measured++
    const off = t - p.at
    if (Math.abs(off) > Math.abs(worst)) worst = off
    if (Math.abs(off) > ctx.clockToleranceMs) {
      return fail(`device time ${m.ts} is ${(off / 1000).toFixed(1)} s off the kit's clock (at most ${ctx.clockToleranceMs / 1000} s)`, shown(p))
    }
  }
  if (measured === 0) return notChecked('no online status or heartbeat with a time arrived')
  const largest = Math.abs(worst) < 5 ? '0.00' : (worst / 1000).toFixed(2)
  return pass([`${measured} times compared; largest difference ${largest} s (device minus kit)`])
}
