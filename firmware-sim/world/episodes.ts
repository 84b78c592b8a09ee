// The conditions that come from nothing happening: a resident not seen for N
// days, a room nobody of it was seen in for N days, a visitor still inside past
// the allowed stay. Each is an episode from the moment the silence passes the
// limit to the signal that ends it (a passage, a departure, an exit).

import type { RuleType, TruthMatch } from './truth.ts'

export type Signal =
  | { kind: 'created'; at: number; registryAt: number; roomId: string; buildingId: string; cause: string }
  | { kind: 'seen'; at: number; roomId: string; person: string | null; cause: string; roomCause: string }
  | { kind: 'visitor-in' | 'visitor-out'; at: number; credential: string; roomId: string; buildingId: string; validUntil: number | null; cause: string }
  | { kind: 'arrived' | 'departed'; at: number; registryAt: number; roomId: string; person: string; buildingId: string; cause: string }

export interface Episode {
  type: RuleType
  match: TruthMatch
  at: number
  endedAt: number | null
  cause: string
  note: string
}

export interface EpisodeLimits { notSeenMs: number; vacantMs: number; maxStayMs: number; end: number }

const DAY = 86_400_000

export function conditionEpisodes (signals: readonly Signal[], o: EpisodeLimits): Episode[] {
  const sorted = [...signals].sort((a, b) => a.at - b.at)
  return [...notSeen(sorted, o), ...vacant(sorted, o), ...overstay(sorted, o)]
}

function notSeen (signals: readonly Signal[], o: EpisodeLimits): Episode[] {
  const out: Episode[] = []
  const people = new Map<string, { since: number; registeredAt: number; active: boolean; start: number | null; buildingId: string; roomId: string; cause: string }>()
  const emit = (person: string, s: { start: number | null; buildingId: string; roomId: string; cause: string; since: number }, endedAt: number | null): void => {
    if (s.start === null) return
    out.push({
      type: 'resident_not_seen', match: { buildingId: s.buildingId, residentId: person }, at: s.start, endedAt, cause: s.cause,
      note: `resident ${person} of room ${s.roomId} not seen for ${Math.round(o.notSeenMs / DAY)} days`,
    })
    s.start = null
  }
  // The registry dates an arrival by its own (system) clock, which a fast sim clock leaves behind: a
  // newcomer can look unseen for days the moment the platform learns of them, until their first passage.
  const due = (s: { since: number; registeredAt: number; active: boolean; start: number | null }, now: number): void => {
    const at = Math.max(s.since + o.notSeenMs, s.registeredAt)
    if (s.active && s.start === null && at < now) s.start = at
  }
  for (const sig of signals) {
    if (sig.kind === 'arrived') {
      people.set(sig.person, { since: sig.registryAt, registeredAt: sig.at, active: true, start: null, buildingId: sig.buildingId, roomId: sig.roomId, cause: sig.cause })
      continue
    }
    if ((sig.kind !== 'seen' && sig.kind !== 'departed') || sig.person === null) continue
    const s = people.get(sig.person)
    if (s === undefined) continue
    due(s, sig.at)
    emit(sig.person, s, sig.at)
    if (sig.kind === 'departed') s.active = false
    else {
      s.since = Math.max(s.since, sig.at)
      s.cause = sig.cause
    }
  }
  for (const [person, s] of people) {
    due(s, o.end)
    emit(person, s, null)
  }
  return out
}

function vacant (signals: readonly Signal[], o: EpisodeLimits): Episode[] {
  const out: Episode[] = []
  const rooms = new Map<string, { since: number; start: number | null; buildingId: string; cause: string }>()
  const emit = (roomId: string, s: { start: number | null; buildingId: string; cause: string }, endedAt: number | null): void => {
    if (s.start === null) return
    out.push({
      type: 'room_vacant', match: { buildingId: s.buildingId, roomId }, at: s.start, endedAt, cause: s.cause,
      note: `nobody of room ${roomId} seen for ${Math.round(o.vacantMs / DAY)} days`,
    })
    s.start = null
  }
  for (const sig of signals) {
    if (sig.kind === 'visitor-in' || sig.kind === 'visitor-out') continue
    const s = rooms.get(sig.roomId)
    if (sig.kind === 'created') {
      rooms.set(sig.roomId, { since: sig.registryAt, start: null, buildingId: sig.buildingId, cause: sig.cause })
      continue
    }
    if (s === undefined) continue
    if (s.start === null && s.since + o.vacantMs < sig.at) s.start = s.since + o.vacantMs
    if (sig.kind === 'seen') {
      emit(sig.roomId, s, sig.at)
      s.since = Math.max(s.since, sig.at)
      s.cause = sig.roomCause
    } else if (sig.kind === 'arrived' || sig.kind === 'departed') {
      s.since = Math.max(s.since, sig.registryAt)
      // A registry change counts at the next sweep, and only if it is recent enough on the platform's clock.
      if (s.start !== null && sig.at - s.since <= o.vacantMs) emit(sig.roomId, s, sig.at)
      s.cause = sig.cause
    }
  }
  for (const [roomId, s] of rooms) {
    if (s.start === null && s.since + o.vacantMs < o.end) s.start = s.since + o.vacantMs
    emit(roomId, s, null)
  }
  return out
}

function overstay (signals: readonly Signal[], o: EpisodeLimits): Episode[] {
  const out: Episode[] = []
  const visitors = new Map<string, { inside: boolean; deadline: number; enteredAt: number; buildingId: string; roomId: string; cause: string }>()
  const emit = (credential: string, v: { deadline: number; buildingId: string; roomId: string; cause: string; enteredAt: number }, endedAt: number | null): void => {
    out.push({
      type: 'visitor_overstay', match: { buildingId: v.buildingId, roomId: v.roomId, credentialId: credential }, at: v.deadline, endedAt, cause: v.cause,
      note: `visitor with pass ${credential} still inside room ${v.roomId} past ${new Date(v.deadline).toISOString()}`,
    })
  }
  for (const sig of signals) {
    if (sig.kind !== 'visitor-in' && sig.kind !== 'visitor-out') continue
    const v = visitors.get(sig.credential)
    if (sig.kind === 'visitor-in') {
      if (v?.inside === true) continue
      visitors.set(sig.credential, {
        inside: true, enteredAt: sig.at, deadline: Math.min(sig.at + o.maxStayMs, sig.validUntil ?? Infinity),
        buildingId: sig.buildingId, roomId: sig.roomId, cause: sig.cause,
      })
    } else if (v?.inside === true) {
      v.inside = false
      if (v.deadline < sig.at) emit(sig.credential, v, sig.at)
    }
  }
  for (const [credential, v] of visitors) if (v.inside && v.deadline < o.end) emit(credential, v, null)
  return out
}
