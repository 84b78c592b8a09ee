// The site a seed builds: buildings with a main gate (reader and camera) and a
// back door (reader only), rooms of capacity 1 to 4, and the residents living
// there at the start, each with a card. The buildings stand in two
// neighbourhoods (NEIGHBOURHOODS): neighbours a short walk apart, the other
// neighbourhood much farther than one card can travel in minutes. Anomalies add their own people and
// credentials later (scenario.ts). Ids and card numbers carry the run's
// namespace so that runs never collide on a long-lived platform.

import { BACK_DOOR, MAIN_GATE, type BuildingSpec, type CredentialSpec, type PersonSpec, type Routine, type Site } from './model.ts'
import { Rng } from './rng.ts'

export interface SiteOptions {
  seed: string
  /** Letters, digits and dashes; prefixes every id. */
  namespace: string
  buildings: number
  roomsPerBuilding: number
  /** Rooms per building nobody lives in at the start (default 1). */
  emptyRooms?: number
}

const SURNAMES = ['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhao', 'Wu', 'Zhou', 'Xu', 'Sun', 'Ma', 'Zhu', 'Hu', 'Guo', 'He', 'Lin', 'Luo', 'Gao']
const GIVEN = ['Wei', 'Fang', 'Na', 'Min', 'Jing', 'Lei', 'Qiang', 'Yan', 'Jun', 'Tao', 'Ming', 'Chao', 'Xia', 'Ping', 'Gang', 'Hui', 'Yu', 'Hong', 'Bo', 'Ting']
const STREETS = ['Lianhua Lane', 'Zumiao Road', 'Fenjiang Road', 'Jihua Road', 'Puhui Road', 'Kuiqi Road']

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

/** Odd-numbered buildings stand in the first, even-numbered in the second (Chancheng, Foshan; Huangpu, Guangzhou: about 48 km apart). */
export const NEIGHBOURHOODS = [{ lat: 23.0215, lon: 113.1214 }, { lat: 23.1064, lon: 113.5903 }] as const
/** Buildings of one neighbourhood lie within this many degrees (about 100 m) of its centre. */
const SPREAD_DEG = 0.001

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6

/** A PRC resident ID number (GB 11643): region 440604, birth date, sequence, check character. */
export function residentIdNumber (birth: Date, sequence: number): string {
  const ymd = birth.toISOString().slice(0, 10).replaceAll('-', '')
  const first17 = `440604${ymd}${String(sequence % 1000).padStart(3, '0')}`
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * WEIGHTS[i]!, 0)
  return first17 + '10X98765432'[sum % 11]!
}

/** Six hex digits that stand for the namespace in card numbers. */
export function namespaceHex (namespace: string): string {
  return new Rng(`card-prefix/${namespace}`).hex(6)
}

/** Issues names, ID numbers and credential values, unique within a run. */
export class Cast {
  private persons = 0
  private cards = 0
  private readonly ids = new Set<string>()
  private readonly rng: Rng
  readonly cardPrefix: string

  constructor (private readonly site: Site) {
    this.rng = new Rng(`${site.seed}/cast/${site.namespace}`)
    this.cardPrefix = namespaceHex(site.namespace)
  }

  name (): string {
    return `${this.rng.pick(SURNAMES)} ${this.rng.pick(GIVEN)}`
  }

  idNumber (): string {
    for (;;) {
      const birth = new Date(Date.UTC(1960, 0, 1) + this.rng.int(0, 45 * 365) * 86_400_000)
      const id = residentIdNumber(birth, this.rng.int(1, 999))
      if (!this.ids.has(id)) {
        this.ids.add(id)
        return id
      }
    }
  }

  /** A card number nobody else in this run has: namespace prefix, then a serial. */
  cardValue (): string {
    this.cards++
    return `${this.cardPrefix}${String(this.cards).padStart(6, '0')}${this.rng.hex(2)}`
  }

  person (p: Omit<PersonSpec, 'ref' | 'name'> & { name?: string }): PersonSpec {
    this.persons++
    const full: PersonSpec = { ref: `p${this.persons}`, name: p.name ?? this.name(), ...p }
    if (full.role === 'resident' && full.idNumber === undefined) full.idNumber = this.idNumber()
    this.site.persons.push(full)
    return full
  }

  credential (c: Omit<CredentialSpec, 'ref'>): CredentialSpec {
    const full: CredentialSpec = { ref: `c${this.site.credentials.length + 1}`, ...c }
    this.site.credentials.push(full)
    return full
  }

  /** A resident's card. */
  card (holder: PersonSpec): CredentialSpec {
    return this.credential({ kind: 'card', value: this.cardValue(), buildingId: holder.buildingId, roomId: holder.roomId, holder: holder.ref })
  }
}

const ROUTINES: Routine[] = ['day', 'day', 'day', 'day', 'night', 'home']

/** Buildings, rooms and devices, and the residents at the start (rooms left empty: `vacant` story). */
export function buildSite (o: SiteOptions): { site: Site; cast: Cast } {
  const rng = new Rng(`${o.seed}/site`)
  // A stream of its own, so that the rest of the site is what it was before buildings had a place.
  const where = new Rng(`${o.seed}/site/locations`)
  const site: Site = { namespace: o.namespace, seed: o.seed, buildings: [], persons: [], credentials: [] }
  const cast = new Cast(site)
  for (let b = 1; b <= o.buildings; b++) {
    const id = `${o.namespace}-b${b}`
    const centre = NEIGHBOURHOODS[(b - 1) % NEIGHBOURHOODS.length]!
    const building: BuildingSpec = {
      id,
      name: `${rng.pick(STREETS)} ${rng.int(2, 98)}`,
      address: `${rng.int(2, 98)} ${rng.pick(STREETS)}, Zumiao Street`,
      location: { lat: round6(centre.lat + where.real(-SPREAD_DEG, SPREAD_DEG)), lon: round6(centre.lon + where.real(-SPREAD_DEG, SPREAD_DEG)) },
      rooms: [],
      devices: [
        { id: `${id}-gate-r`, buildingId: id, door: MAIN_GATE, kind: 'reader' },
        { id: `${id}-gate-cam`, buildingId: id, door: MAIN_GATE, kind: 'camera' },
        { id: `${id}-back-r`, buildingId: id, door: BACK_DOOR, kind: 'reader' },
      ],
      cameraDoors: [MAIN_GATE],
    }
    for (let r = 0; r < o.roomsPerBuilding; r++) {
      const floor = 1 + Math.floor(r / 4)
      const number = `${floor}0${(r % 4) + 1}`
      building.rooms.push({ id: `${id}-${number}`, buildingId: id, number, capacity: rng.pick([1, 2, 2, 3, 3, 4]) })
    }
    site.buildings.push(building)
  }
  // Residents: every room but the empty ones holds between one and its capacity.
  for (const building of site.buildings) {
    for (const room of rng.shuffle(building.rooms).slice(0, o.emptyRooms ?? 1)) room.story = 'vacant-room'
    for (const room of building.rooms) {
      if (room.story !== undefined) continue
      const n = rng.int(1, room.capacity)
      for (let i = 0; i < n; i++) {
        const resident = cast.person({ role: 'resident', buildingId: building.id, roomId: room.id, routine: rng.pick(ROUTINES) })
        cast.card(resident)
      }
    }
  }
  return { site, cast }
}
