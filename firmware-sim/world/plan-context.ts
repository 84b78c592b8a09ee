// What the planners of a scenario share: the site and its cast, the calendar,
// each person's life on the site, the actions planned so far, and helpers to
// pick who and when. Planners run in two rounds: the first shapes lives and
// books device anomalies (so routines know which doors to avoid), the second
// works on the residents' passages once they exist.

import { Calendar } from './calendar.ts'
import { DAY, HOUR, localDate, MINUTE } from './local-time.ts'
import type { Action, BuildingSpec, CredentialSpec, PassAction, PersonSpec, RoomSpec, Site } from './model.ts'
import { Rng } from './rng.ts'
import { passagesOf, Presence, type Life } from './routines.ts'
import type { Cast } from './site.ts'
import type { RuleSettings } from './truth.ts'

export interface Anomaly { label: string; rng: Rng; building: BuildingSpec }

export class PlanContext {
  readonly calendar = new Calendar()
  readonly lives = new Map<string, Life>()
  /** Everything but the residents' routine passages. */
  readonly actions: Action[] = []
  /** Routine passages per person, once generated. */
  readonly passes = new Map<string, PassAction[]>()
  /** Second-round work of first-round planners, run once passages exist. */
  readonly later: Array<() => void> = []
  /** Permit end dates by person (normally half a year on). */
  readonly permits = new Map<string, string>()
  private readonly counters = new Map<string, number>()
  private readonly rng: Rng

  constructor (
    readonly site: Site, readonly cast: Cast, readonly start: number, readonly end: number, readonly rules: RuleSettings,
  ) {
    this.rng = new Rng(`${site.seed}/plan`)
  }

  /** A fresh label for the next anomaly of a kind: `kind#n`. */
  label (kind: string): string {
    const n = (this.counters.get(kind) ?? 0) + 1
    this.counters.set(kind, n)
    return `${kind}#${n}`
  }

  /** A new anomaly of a kind: its label, its random stream, the building it happens in. */
  anomaly (kind: string): Anomaly {
    const label = this.label(kind)
    return { label, rng: this.random(label), building: this.buildingFor(label) }
  }

  /** A resident of the anomaly's building with no story yet, made part of it (undefined: nobody left). */
  enlist (a: Anomaly, filter?: (p: PersonSpec) => boolean): PersonSpec | undefined {
    const p = this.freeResidents(a.rng, a.building.id, filter)[0]
    if (p !== undefined) p.story = a.label
    return p
  }

  /** The random stream of one anomaly (or purpose). */
  random (label: string): Rng {
    return this.rng.fork(label)
  }

  get buildings (): readonly BuildingSpec[] {
    return this.site.buildings
  }

  building (id: string): BuildingSpec {
    return this.site.buildings.find((b) => b.id === id)!
  }

  room (id: string): RoomSpec {
    return this.site.buildings.flatMap((b) => b.rooms).find((r) => r.id === id)!
  }

  person (ref: string): PersonSpec {
    return this.site.persons.find((p) => p.ref === ref)!
  }

  device (buildingId: string, door: string, kind: 'reader' | 'camera'): string {
    return this.building(buildingId).devices.find((d) => d.door === door && d.kind === kind)!.id
  }

  /** Residents of a room living here at the start. */
  residentsOf (roomId: string): PersonSpec[] {
    return this.site.persons.filter((p) => p.role === 'resident' && p.roomId === roomId && this.lives.get(p.ref)?.arrives === false)
  }

  /** Residents with no story yet, optionally of one building, in random order. */
  freeResidents (rng: Rng, buildingId?: string, filter: (p: PersonSpec) => boolean = () => true): PersonSpec[] {
    return rng.shuffle(this.site.persons.filter((p) =>
      p.role === 'resident' && p.story === undefined && this.lives.get(p.ref)?.arrives === false &&
      (buildingId === undefined || p.buildingId === buildingId) && filter(p)))
  }

  /** The building an anomaly (`kind#n`) goes to: the n-th of a kind's own random rotation, so that one kind spreads over the site. */
  buildingFor (label: string, shift = 0): BuildingSpec {
    const [kind, n] = label.split('#')
    const list = this.site.buildings
    const first = this.rng.fork(`buildings/${kind}`).int(0, list.length - 1)
    return list[(first + Number(n) - 1 + shift) % list.length]!
  }

  /** A life for a person living here from the start. */
  settle (person: PersonSpec, card: CredentialSpec): Life {
    const life: Life = { person, from: this.start - MINUTE, until: this.end + DAY, arrives: false, leaves: false, credentials: [{ from: -Infinity, ref: card.ref }] }
    this.lives.set(person.ref, life)
    this.permits.set(person.ref, localDate(this.start + 180 * DAY))
    return life
  }

  /** A newcomer: registered by the landlord a minute before they arrive at `at` (see episodes.ts on the registry's clock). */
  moveIn (person: PersonSpec, card: CredentialSpec, at: number, tag: string): Life {
    const life: Life = { person, from: at, until: this.end + DAY, arrives: true, leaves: false, credentials: [{ from: -Infinity, ref: card.ref }] }
    this.lives.set(person.ref, life)
    this.actions.push({
      kind: 'register', at: at - MINUTE, tag, person: person.ref, roomId: person.roomId!, credentials: [card.ref],
      permitValidUntil: localDate(at + 180 * DAY),
    })
    return life
  }

  /** Books a slot in the building's calendar; undefined when none is free. */
  book (rng: Rng, s: Parameters<Calendar['book']>[1]): number | undefined {
    return this.calendar.book(rng, s)
  }

  /** Generates every life's routine passages (after the first round). */
  generatePasses (): void {
    for (const life of this.lives.values()) {
      this.passes.set(life.person.ref, passagesOf(life, { rng: this.random(`routine/${life.person.ref}`), calendar: this.calendar, start: this.start, end: this.end }))
    }
    for (const run of this.later.splice(0)) run()
  }

  /** Who is inside each room by the passages planned so far (routines and visitors). */
  presence (): Presence {
    const p = new Presence((ref) => this.person(ref).roomId)
    for (const list of this.passes.values()) p.add(list)
    const visitorPasses = new Map<string, PassAction[]>()
    for (const a of this.actions) {
      if (a.kind !== 'pass' || this.person(a.person).role !== 'visitor') continue
      const list = visitorPasses.get(a.person) ?? []
      list.push(a)
      visitorPasses.set(a.person, list)
    }
    for (const list of visitorPasses.values()) p.add(list.sort((x, y) => x.at - y.at), true)
    return p
  }

  /** A passage action. */
  pass (p: Omit<PassAction, 'kind' | 'crossing'> & { crossing?: number }): PassAction {
    const a: PassAction = { kind: 'pass', crossing: 1, ...p }
    this.actions.push(a)
    return a
  }

  /** Hours of the local day a time falls in, for `hourOk` filters. */
  static hours (lo: number, hi: number): (t: number) => boolean {
    return (t) => {
      const h = ((t + 8 * HOUR) % DAY) / HOUR
      return lo <= hi ? h >= lo && h < hi : h >= lo || h < hi
    }
  }
}
