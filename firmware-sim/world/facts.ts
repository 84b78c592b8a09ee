// From what the world did to what the platform should detect. The actions are
// replayed in time order against the world's own registry (world-registry.ts);
// every swipe, door event, outage and registration is judged by the rules as
// docs/rules.md states them, which gives the ground truth: each incident (an
// unknown card, a forced door, ...) and each episode of a condition (a room
// overcrowded from one passage to another, a resident unseen from day N to
// their return), with when it became detectable and its cause.

import { HOUR } from './local-time.ts'
import { sortActions, type Action, type PassAction, type Scenario, type Site } from './model.ts'
import { conditionEpisodes, type Signal } from './episodes.ts'
import { CONDITION_TYPES, type DetectionTiming, type RuleSettings, type RuleType, type TruthItem, type TruthMatch } from './truth.ts'
import { WorldRegistry, type Verdict } from './world-registry.ts'
import { leastTravelMs } from '../../platform/starter.ts'
import type { CredentialKind } from '../../contract/vocabulary.ts'

export interface FactsOptions {
  rules: RuleSettings
  timing: DetectionTiming
  /** Length of a camera's counting period, seconds (the device's lineCountPeriodS). */
  cameraPeriodS: number
  /** Sim time the timeline ends at (or the alerts were read): items due later are not scored. */
  end: number
  /** Sim time the registry records for a call made at sim time `t` (it keeps the system clock). Default: `t`. */
  registryTime?: (t: number) => number
  /** Registry time the rooms were created at. Default: the first action's time. */
  roomsCreatedAt?: number
  /**
   * How the platform names a presented value in alert keys (CredentialSecrets.presentedKey under its data
   * key). Without it (a remote platform whose data key the run does not know), alerts keyed by a card are
   * matched by building and door instead of by key.
   */
  presentedKey?: (kind: CredentialKind, value: string) => string
}

/** Fills in what the reader is expected to decide for every passage (an up-to-date allow-list). */
export function annotate (scenario: Scenario): void {
  const reg = new WorldRegistry(scenario.site)
  const story = new Map(scenario.site.persons.map((p) => [p.ref, p.story]))
  for (const a of scenario.actions) {
    if (a.kind !== 'pass') {
      reg.apply(a)
      continue
    }
    a.expect = reg.readerDecision(a.credential, a.buildingId, a.at)
    // A resident whose permit ran out is turned away at the door from then on: their everyday passes are now
    // part of the anomaly that ended the permit.
    if (a.expect === 'denied' && a.tag === 'routine' && reg.expiredBecause(reg.credential(a.credential), a.at) === 'permit expired') a.tag = story.get(a.person) ?? a.tag
  }
}

const VERDICT_TYPE: Record<Exclude<Verdict, 'valid'>, RuleType> = {
  unknown: 'unknown_credential', foreign: 'foreign_credential', expired: 'expired_credential', outside_window: 'outside_window',
}

/** Every incident and condition episode the actions cause. */
export function deriveTruth (site: Site, actions: readonly Action[], o: FactsOptions): TruthItem[] {
  const reg = new WorldRegistry(site)
  const items: TruthItem[] = []
  const r = o.rules
  const S = 1000
  const delay: Record<RuleType, number> = {
    unknown_credential: 0, foreign_credential: 0, expired_credential: 0, outside_window: 0, repeated_denials: 0, impossible_travel: 0,
    tailgating: (o.cameraPeriodS + r.tailgatingWindowS + o.timing.tickS) * S,
    overcrowding_registered: o.timing.sweepS * S, overcrowding_observed: 0, visitor_overstay: o.timing.tickS * S,
    resident_not_seen: o.timing.sweepS * S, room_vacant: o.timing.sweepS * S, door_forced: 0, door_held_open: 0, tamper: 0,
    device_offline: (r.heartbeatS * r.missedHeartbeats + o.timing.tickS) * S, clock_drift: (r.heartbeatS + o.timing.tickS) * S,
    // Judged on the device change itself (the rotation that withdraws the approval).
    reader_not_updated: 0,
  }
  const tolerance = o.timing.toleranceS * S
  const add = (type: RuleType, match: TruthMatch, at: number, cause: string, note: string, endedAt?: number | null, extraDelayMs = 0): void => {
    const due = at + delay[type] + extraDelayMs
    const item: TruthItem = { id: `t${items.length + 1}`, type, match, at, deadline: due + tolerance, cause, note, expected: due + tolerance / 2 <= o.end }
    if (CONDITION_TYPES.has(type)) {
      item.endedAt = endedAt ?? null
      // An episode over before the platform could look at it may pass unseen: not scored.
      if (endedAt != null && endedAt - at < delay[type] + extraDelayMs + tolerance / 4) item.expected = false
    }
    if (at < o.end) items.push(item)
  }

  const registryTime = o.registryTime ?? ((t: number) => t)
  /** The alert key `prefix` + the card's name, or, not knowing the platform's names, the door it was shown at. */
  const keyed = (prefix: string, kind: CredentialKind, value: string, door?: string): Partial<TruthMatch> =>
    o.presentedKey !== undefined ? { dedupKey: prefix + o.presentedKey(kind, kind === 'card' || kind === 'ic_card' ? value.toUpperCase() : value) } : door === undefined ? {} : { door }
  const persons = new Map(site.persons.map((p) => [p.ref, p]))
  const rooms = new Map(site.buildings.flatMap((b) => b.rooms).map((x) => [x.id, x]))
  const devices = new Map(site.buildings.flatMap((b) => b.devices).map((d) => [d.id, d]))
  const cameraDoors = new Set(site.buildings.flatMap((b) => b.cameraDoors.map((d) => `${b.id}/${d}`)))
  const sorted = sortActions([...actions])
  const signals: Signal[] = []
  const runs = new Map<string, { count: number; lastAt: number }>()
  const sightings = new Map<string, { buildingId: string; door: string; at: number }>()
  const locations = new Map(site.buildings.map((b) => [b.id, b.location]))
  const present = new Map<string, Set<string>>()
  const raised = new Set<string>()
  type Open = { at: number; cause: string; note: string; type: RuleType; match: TruthMatch; extraDelayMs?: number }
  const open = new Map<string, Open>()
  const openEpisode = (key: string, e: Open): void => {
    if (!open.has(key)) open.set(key, e)
  }
  const closeEpisode = (key: string, at: number): void => {
    const e = open.get(key)
    if (e === undefined) return
    open.delete(key)
    add(e.type, e.match, e.at, e.cause, e.note, at, e.extraDelayMs)
  }
  const registered = new Map<string, Set<string>>()
  const firstAt = sorted[0]?.at ?? 0
  for (const room of rooms.values()) {
    const at = o.roomsCreatedAt ?? firstAt
    signals.push({ kind: 'created', roomId: room.id, buildingId: room.buildingId, at, registryAt: at, cause: room.story ?? 'routine' })
  }

  for (const a of sorted) {
    switch (a.kind) {
      case 'pass': {
        const result = a.result ?? a.expect ?? reg.readerDecision(a.credential, a.buildingId, a.at)
        onPass(a, result)
        break
      }
      case 'door': {
        const d = devices.get(a.deviceId)!
        const where = { buildingId: d.buildingId, door: d.door }
        const key = `held:${d.buildingId}/${d.door}`
        if (a.state === 'forced_open') add('door_forced', where, a.at, a.tag, `door ${d.door} of ${d.buildingId} forced open`)
        else if (a.state === 'tamper') add('tamper', { buildingId: d.buildingId, deviceId: d.id }, a.at, a.tag, `device ${d.id} tampered with`)
        else if (a.state === 'held_open') openEpisode(key, { type: 'door_held_open', match: where, at: a.at, cause: a.tag, note: `door ${d.door} of ${d.buildingId} held open` })
        else closeEpisode(key, a.at)
        break
      }
      case 'outage':
      case 'restore': {
        const d = devices.get(a.deviceId)!
        const key = `offline:${d.id}`
        if (a.kind === 'outage') openEpisode(key, { type: 'device_offline', match: { buildingId: d.buildingId, deviceId: d.id }, at: a.at, cause: a.tag, note: `device ${d.id} off the network` })
        else closeEpisode(key, a.at)
        break
      }
      case 'drift': {
        const d = devices.get(a.deviceId)!
        const key = `drift:${d.id}`
        if (Math.abs(a.offsetMs) > r.clockDriftMaxS * S) {
          // A clock set back delays the next heartbeat, which is when the platform measures, by as much.
          openEpisode(key, {
            type: 'clock_drift', match: { buildingId: d.buildingId, deviceId: d.id }, at: a.at, cause: a.tag,
            note: `clock of ${d.id} off by ${Math.round(a.offsetMs / 1000)} s`, extraDelayMs: Math.max(0, -a.offsetMs),
          })
        } else closeEpisode(key, a.at)
        break
      }
      case 'rekey':
      case 'approve': {
        const d = devices.get(a.deviceId)!
        const where = { buildingId: d.buildingId, deviceId: d.id }
        if (a.kind === 'approve') {
          closeEpisode(`not-updated:${d.id}`, a.at)
          break
        }
        // Approved before, the reader keeps serving the building but gets no list until approved again.
        openEpisode(`not-updated:${d.id}`, { type: 'reader_not_updated', match: where, at: a.at, cause: a.tag, note: `reader ${d.id} re-keyed by its vendor, awaiting approval` })
        // The rotation closes its connection (an offline warning) until it is back with the new secret, a moment later.
        add('device_offline', where, a.at, a.tag, `device ${d.id} disconnected by the rotation of its secret`, a.at)
        break
      }
      default:
        onRegistry(a)
    }
  }
  for (const [key, e] of open) {
    open.delete(key)
    add(e.type, e.match, e.at, e.cause, e.note, null, e.extraDelayMs)
  }
  for (const ep of conditionEpisodes(signals, { notSeenMs: r.notSeenDays * 24 * HOUR, vacantMs: r.vacantDays * 24 * HOUR, maxStayMs: r.visitorMaxStayH * HOUR, end: o.end })) {
    add(ep.type, ep.match, ep.at, ep.cause, ep.note, ep.endedAt)
  }
  return items.sort((x, y) => x.at - y.at)

  function onPass (a: PassAction, result: 'granted' | 'denied'): void {
    const c = reg.credential(a.credential)
    const person = persons.get(a.person)
    const verdict = reg.verdict(a.credential, a.buildingId, a.at)
    const label = c.kind === 'pin' ? `PIN at ${a.door}` : `${c.kind} ${c.value}`
    const cause = a.tag === 'routine' ? person?.story ?? a.tag : a.tag
    if (verdict !== 'valid') {
      // Unknown and foreign cards are named by the platform's digest; a wrong PIN names the door; the others, the credential.
      const match: TruthMatch = verdict === 'unknown'
        ? c.kind === 'pin'
          ? { buildingId: a.buildingId, dedupKey: `unknown_credential:${a.buildingId}:pin:${a.door}` }
          : { buildingId: a.buildingId, ...keyed(`unknown_credential:${a.buildingId}:`, c.kind, c.value, a.door) }
        : verdict === 'foreign'
          ? { buildingId: a.buildingId, ...(c.kind === 'pin' ? { door: a.door } : keyed(`foreign_credential:${a.buildingId}:`, c.kind, c.value, a.door)) }
          : { buildingId: a.buildingId, credentialId: c.ref }
      const why = verdict === 'expired' ? ` (${reg.expiredBecause(c, a.at) ?? ''})` : ''
      add(VERDICT_TYPE[verdict], match, a.at, cause, `${label} presented at ${a.buildingId}/${a.door}${why}`)
    }
    denials(a, c.kind === 'pin' ? undefined : { run: `${a.buildingId}:${c.kind}:${c.value}`, kind: c.kind, value: c.value }, result, cause)
    travel(a, cause)
    if (result === 'granted' && a.direction === 'in' && a.crossing > 1 && cameraDoors.has(`${a.buildingId}/${a.door}`)) {
      add('tailgating', { buildingId: a.buildingId, door: a.door }, a.at, cause, `${a.crossing - 1} walked in behind ${label} at ${a.buildingId}/${a.door}`)
    }
    if (result !== 'granted' || !reg.known(a.credential) || c.buildingId !== a.buildingId || c.roomId === null) return
    const visitor = c.visitor === true
    const personKey = visitor ? `visitor:${c.ref}` : c.holder!
    const room = rooms.get(c.roomId)!
    signals.push({ kind: 'seen', at: a.at, roomId: c.roomId, person: visitor ? null : c.holder, cause, roomCause: room.story ?? cause })
    if (visitor) signals.push({ kind: a.direction === 'in' ? 'visitor-in' : 'visitor-out', at: a.at, credential: c.ref, roomId: c.roomId, buildingId: c.buildingId, validUntil: c.validUntil ?? null, cause })
    const inside = present.get(c.roomId) ?? new Set<string>()
    present.set(c.roomId, inside)
    if (a.direction === 'in') inside.add(personKey)
    else inside.delete(personKey)
    const key = `observed:${room.id}`
    if (inside.size > room.capacity) {
      if (!raised.has(key)) {
        raised.add(key)
        openEpisode(key, { type: 'overcrowding_observed', match: { buildingId: room.buildingId, roomId: room.id }, at: a.at, cause: room.story ?? cause, note: `${inside.size} people of room ${room.number} inside, capacity ${room.capacity}` })
      }
    } else if (raised.delete(key)) closeEpisode(key, a.at)
  }

  /** One value at two buildings sooner than the distance allows (cards and codes; the platform's own reckoning of how soon). */
  function travel (a: PassAction, cause: string): void {
    const c = reg.credential(a.credential)
    if (c.kind !== 'card' && c.kind !== 'ic_card' && c.kind !== 'qr') return
    const key = `${c.kind}:${c.value}`
    const prev = sightings.get(key)
    if (prev === undefined || a.at >= prev.at) sightings.set(key, { buildingId: a.buildingId, door: a.door, at: a.at })
    if (prev === undefined || prev.buildingId === a.buildingId) return
    if (Math.abs(a.at - prev.at) >= leastTravelMs(locations.get(prev.buildingId), locations.get(a.buildingId), r).ms) return
    // At both buildings (each its own door), earlier first, and at the card's own building when the platform knows it
    // (issued, revoked or not) and it is neither.
    const sides = a.at >= prev.at ? [prev, { buildingId: a.buildingId, door: a.door }] : [{ buildingId: a.buildingId, door: a.door }, prev]
    const own = reg.known(a.credential) && c.buildingId !== a.buildingId && c.buildingId !== prev.buildingId ? [{ buildingId: c.buildingId, door: undefined }] : []
    for (const side of [...sides, ...own]) {
      add('impossible_travel', { buildingId: side.buildingId, ...keyed(`impossible_travel:${side.buildingId}:`, c.kind, c.value, side.door) }, Math.max(a.at, prev.at), cause,
        `${c.kind} ${c.value} at ${prev.buildingId} and ${a.buildingId} ${Math.round(Math.abs(a.at - prev.at) / 1000)} s apart (alert at ${side.buildingId})`)
    }
  }

  function denials (a: PassAction, cred: { run: string; kind: CredentialKind; value: string } | undefined, result: 'granted' | 'denied', cause: string): void {
    const credKey = cred?.run
    const doorKey = `${a.buildingId}:${a.door}`
    if (result === 'granted') {
      runs.delete(`door:${doorKey}`)
      if (credKey !== undefined) runs.delete(`cred:${credKey}`)
      return
    }
    const bump = (key: string): { count: number; lastAt: number } => {
      const prev = runs.get(key)
      const run = prev === undefined || a.at - prev.lastAt > r.deniedRunGapS * S ? { count: 1, lastAt: a.at } : { count: prev.count + 1, lastAt: a.at }
      runs.set(key, run)
      return run
    }
    const byDoor = bump(`door:${doorKey}`)
    const byCred = credKey === undefined ? undefined : bump(`cred:${credKey}`)
    if (byDoor.count === r.deniedInARow && !(byCred !== undefined && byCred.count >= byDoor.count)) {
      add('repeated_denials', { buildingId: a.buildingId, dedupKey: `repeated_denials:door:${doorKey}` }, a.at, cause, `${byDoor.count} denials in a row at ${a.buildingId}/${a.door}`)
    }
    if (byCred !== undefined && byCred.count === r.deniedInARow) {
      add('repeated_denials', { buildingId: a.buildingId, ...keyed(`repeated_denials:cred:${a.buildingId}:`, cred!.kind, cred!.value, a.door) }, a.at, cause,
        `${byCred.count} denials in a row with one credential at ${a.buildingId}`)
    }
  }

  function onRegistry (a: Action): void {
    reg.apply(a)
    if (a.kind !== 'register' && a.kind !== 'deregister') return
    const person = persons.get(a.person)!
    const roomId = a.kind === 'register' ? a.roomId : reg.stay(a.person)!.roomId
    const room = rooms.get(roomId)!
    const at = a.setup === true ? a.at : registryTime(a.at)
    signals.push({ kind: a.kind === 'register' ? 'arrived' : 'departed', at: a.at, registryAt: at, roomId, person: a.person, buildingId: room.buildingId, cause: person.story ?? a.tag })
    const set = registered.get(roomId) ?? new Set<string>()
    registered.set(roomId, set)
    if (a.kind === 'register') set.add(a.person)
    else {
      set.delete(a.person)
      // Deregistered while inside: the platform's next sweep sees the room within its capacity again.
      const inside = present.get(roomId)
      if (inside?.delete(a.person) === true && inside.size <= room.capacity && raised.delete(`observed:${roomId}`)) closeEpisode(`observed:${roomId}`, a.at)
    }
    const key = `registered:${roomId}`
    if (set.size > room.capacity) openEpisode(key, { type: 'overcrowding_registered', match: { buildingId: room.buildingId, roomId }, at: a.at, cause: room.story ?? a.tag, note: `${set.size} registered in room ${room.number}, capacity ${room.capacity}` })
    else closeEpisode(key, a.at)
  }
}
