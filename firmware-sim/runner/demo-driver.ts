// The living demo: the demo site's buildings (platform/demo/demo-site.ts)
// come alive, in real time. At each building's main gate a simulated reader
// and camera connect over MQTT with provisioned credentials: the demo devices'
// own (DATA_DIR/demo-devices.json, when given), else a fresh secret the
// administrator issues them; a building with no reader or camera there gets
// one, deleted again at the end. The tenants registered there come and go
// through the gate; now and then their landlord registers a newcomer or a
// newcomer moves out, an unknown card is tried, or someone slips in behind a
// tenant. So landlord-li sees tenants come and go, and police-zumiao sees
// alerts arrive. stop() undoes what it did: the newcomers deregistered, the
// devices it added deleted, the others offline.

import { readFileSync } from 'node:fs'
import { createCamera, createReader, type DeviceCredentials, type SimCameraDevice, type SimReaderDevice } from '../device/index.ts'
import { Rng } from '../world/rng.ts'
import { residentIdNumber } from '../world/site.ts'
import { ApiClient, ApiError } from '../../contract/client.ts'
import type { CredentialKind } from '../../contract/vocabulary.ts'
import { DEMO_PASSWORD, DEMO_SITE } from '../../platform/starter.ts'

const GATE = 'main-gate'

export const DEMO_ACTIONS = ['pass', 'unknown-card', 'tailgate', 'move-in', 'move-out'] as const
export type DemoAction = (typeof DEMO_ACTIONS)[number]

/** How often each happens, relative to the others. */
const WEIGHTS: Record<DemoAction, number> = { pass: 70, 'unknown-card': 8, tailgate: 6, 'move-in': 8, 'move-out': 8 }
/** Newcomers the demo registers at most at a time. */
const MAX_NEWCOMERS = 3

const NAMES = ['Zhao Min', 'Chen Jing', 'Wu Tao', 'Zhou Xia', 'Xu Hui', 'Sun Bo', 'Ma Ting', 'Hu Gang', 'Guo Yan', 'Lin Chao']

export interface DemoDriverOptions {
  /** An administrator of the platform. */
  admin: ApiClient
  /** Where devices connect, when not the address provisioning returns (needed for the secrets file's devices). */
  mqttUrl?: string
  /** The platform's DATA_DIR/demo-devices.json: the demo devices connect with their own secrets. */
  secretsFile?: string
  /** Mean real seconds between two happenings. */
  everyS: number
  seed?: string
  /** What happens first, in this order, before the random mix. */
  first?: readonly DemoAction[]
  /** The platform's RULE_HEARTBEAT_S (default 60). */
  heartbeatS?: number
  /** Cameras' counting period, seconds (default 5). */
  cameraPeriodS?: number
  log: (line: string) => void
}

interface Tenant {
  name: string
  registrationId: string
  buildingId: string
  room: string
  credential: { kind: CredentialKind; value: string }
  inside: boolean
  /** Registered by the demo (a newcomer): deregistered when it moves out or the demo stops. */
  newcomer: boolean
}

interface Gate {
  buildingId: string
  reader: SimReaderDevice
  camera: SimCameraDevice
  landlord: ApiClient
  landlordName: string
}

interface SecretsFile { devices: Array<{ clientId: string; password: string; buildingId: string; kind: string; allowlistKey?: string }> }

export class DemoDriver {
  readonly counts: Record<DemoAction, number> = { pass: 0, 'unknown-card': 0, tailgate: 0, 'move-in': 0, 'move-out': 0 }
  private readonly rng: Rng
  private readonly gates: Gate[] = []
  private readonly tenants: Tenant[] = []
  /** Devices the demo provisioned: deleted at stop. */
  private readonly added: string[] = []
  private stopped = false
  private wake: (() => void) | undefined
  private loop: Promise<void> | undefined
  private serial = 0

  constructor (private readonly o: DemoDriverOptions) {
    this.rng = new Rng(`demo/${o.seed ?? String(Date.now())}`)
  }

  /** Connects the gates' devices and learns the tenants; then things start happening. */
  async start (): Promise<void> {
    const { admin } = this.o
    const buildings = (await admin.request('GET /buildings')).filter((b) => (DEMO_SITE.buildings as readonly string[]).includes(b.id))
    if (buildings.length === 0) {
      throw new Error(`the platform has no demo site (buildings ${DEMO_SITE.buildings.join(', ')}): start it with the demo site on an empty registry (DEMO is on by default)`)
    }
    const landlords = await admin.request('GET /users', { query: { role: 'landlord' } })
    const secrets = this.readSecrets()
    for (const b of buildings) {
      const username = landlords.find((u) => u.id === b.landlordId)?.username
      // The landlord's own session while the account is on the demo password; the administrator otherwise.
      const landlord = username === undefined ? admin : await ApiClient.login(admin.base, username, DEMO_PASSWORD).catch(() => admin)
      const devices = await admin.request('GET /buildings/:id/devices', { params: { id: b.id } })
      const creds = async (kind: 'reader' | 'camera'): Promise<DeviceCredentials> => {
        const d = devices.find((x) => x.kind === kind && x.door === GATE && x.enabled && (kind === 'camera' || x.approved))
        const own = d === undefined ? undefined : secrets.get(d.id)
        if (d !== undefined && own !== undefined && this.o.mqttUrl !== undefined) {
          return { url: this.o.mqttUrl, buildingId: b.id, deviceId: d.id, door: GATE, password: own.password, allowlistKey: own.allowlistKey ?? null }
        }
        const issued = d !== undefined
          // An administrator's rotation keeps the approval.
          ? await admin.request('POST /devices/:id/rotate-secret', { params: { id: d.id }, body: { allowlistKey: 'new' } })
          : await admin.request('POST /buildings/:id/devices', { params: { id: b.id }, body: { door: GATE, kind, vendor: 'RH Simulator', model: kind === 'reader' ? 'SIM-R1' : 'SIM-C1' } })
        if (d === undefined) this.added.push(issued.device.id)
        return { url: this.o.mqttUrl ?? issued.mqtt.url, buildingId: b.id, deviceId: issued.device.id, door: GATE, password: issued.mqtt.password, allowlistKey: issued.mqtt.allowlistKey }
      }
      const options = {
        clock: { now: () => Date.now() }, heartbeatS: this.o.heartbeatS ?? 60, lineCountPeriodS: this.o.cameraPeriodS ?? 5, tickMs: 50,
        onLog: (e: { level: string; msg: string }) => { if (e.level === 'error') this.o.log(`device: ${e.msg}`) },
      }
      this.gates.push({ buildingId: b.id, reader: createReader(await creds('reader'), options), camera: createCamera(await creds('camera'), options), landlord, landlordName: username ?? 'admin' })
      await this.learnTenants(b.id, landlord)
    }
    await Promise.all(this.gates.flatMap((g) => [g.reader.start(), g.camera.start()]))
    for (const g of this.gates) await this.synced(g)
    const where = this.gates.map((g) => `${g.buildingId} (${g.landlordName})`).join(', ')
    this.o.log(`demo live: ${where}; ${this.tenants.length} tenants come and go through the main gates`)
    this.loop = this.run()
  }

  /** Stops what happens, moves the newcomers out, takes the devices offline and deletes those the demo added. */
  async stop (): Promise<void> {
    this.stopped = true
    this.wake?.()
    await this.loop
    for (const t of this.tenants.filter((x) => x.newcomer)) {
      await this.gateOf(t.buildingId).landlord.request('POST /registrations/:id/deregister', { params: { id: t.registrationId }, body: { reason: 'moved_out' } })
        .catch((err: unknown) => this.o.log(`could not deregister ${t.name}: ${String(err)}`))
    }
    await Promise.allSettled(this.gates.flatMap((g) => [g.reader.stop({ graceful: true }), g.camera.stop({ graceful: true })]))
    for (const id of this.added) {
      await this.o.admin.request('DELETE /devices/:id', { params: { id } }).catch((err: unknown) => this.o.log(`could not delete device ${id}: ${String(err)}`))
    }
    this.o.log(`demo stopped: newcomers moved out, ${this.added.length} devices it added deleted, the others offline`)
  }

  private async run (): Promise<void> {
    const first = [...(this.o.first ?? [])]
    while (!this.stopped) {
      await this.pause(this.o.everyS * 1000 * (0.5 + this.rng.next()))
      if (this.stopped) return
      const action = first.shift() ?? this.pick()
      try {
        await this.act(action)
      } catch (err) {
        this.o.log(`${action} failed: ${err instanceof ApiError ? `${err.status} ${err.code} ${err.message}` : String(err)}`)
      }
    }
  }

  private pick (): DemoAction {
    let r = this.rng.next() * Object.values(WEIGHTS).reduce((a, b) => a + b, 0)
    for (const a of DEMO_ACTIONS) {
      r -= WEIGHTS[a]
      if (r < 0) return a
    }
    return 'pass'
  }

  private async act (action: DemoAction): Promise<void> {
    this.counts[action]++
    switch (action) {
      case 'pass': {
        if (this.tenants.length === 0) return this.act('move-in')
        const t = this.rng.pick(this.tenants)
        return this.pass(t, t.inside ? 'out' : 'in', 1)
      }
      case 'tailgate': {
        const outside = this.tenants.filter((t) => !t.inside)
        if (outside.length === 0) return this.act('pass')
        return this.pass(this.rng.pick(outside), 'in', 2)
      }
      case 'unknown-card': {
        const g = this.rng.pick(this.gates)
        const value = `FA${this.rng.hex(6)}`
        const result = await g.reader.present({ kind: 'card', value }, 'in')
        this.o.log(`an unknown card ${value} was tried at ${g.buildingId} ${GATE}: ${result}`)
        return
      }
      case 'move-in': {
        if (this.tenants.filter((t) => t.newcomer).length >= MAX_NEWCOMERS) return this.act('move-out')
        return this.moveIn()
      }
      case 'move-out': {
        const newcomers = this.tenants.filter((t) => t.newcomer)
        if (newcomers.length === 0) return this.moveIn()
        const t = this.rng.pick(newcomers.filter((x) => !x.inside).length > 0 ? newcomers.filter((x) => !x.inside) : newcomers)
        const g = this.gateOf(t.buildingId)
        await g.landlord.request('POST /registrations/:id/deregister', { params: { id: t.registrationId }, body: { reason: 'moved_out' } })
        this.tenants.splice(this.tenants.indexOf(t), 1)
        await this.synced(g)
        this.o.log(`${g.landlordName} deregistered ${t.name}, who moved out of room ${t.room} of ${t.buildingId}`)
      }
    }
  }

  private async pass (t: Tenant, direction: 'in' | 'out', people: number): Promise<void> {
    const g = this.gateOf(t.buildingId)
    const result = await g.reader.present(t.credential, direction)
    if (result === 'granted') {
      g.camera.cross(direction, people)
      t.inside = direction === 'in'
    }
    const how = direction === 'in' ? 'came in' : 'went out'
    this.o.log(`${t.name} (room ${t.room}) ${how} at ${t.buildingId} ${GATE}: ${result}${people > 1 ? `, and someone slipped in behind` : ''}`)
  }

  private async moveIn (): Promise<void> {
    const g = this.rng.pick(this.gates)
    const rooms = (await g.landlord.request('GET /buildings/:id/rooms', { params: { id: g.buildingId } })).filter((r) => r.registered < r.capacity)
    if (rooms.length === 0) return
    const room = this.rng.pick(rooms)
    const name = NAMES[this.serial++ % NAMES.length]!
    const birth = new Date(Date.UTC(1970, 0, 1) + this.rng.int(0, 35 * 365) * 86_400_000)
    const credential = { kind: 'card' as const, value: `DE${this.rng.hex(8)}` }
    const r = await g.landlord.request('POST /rooms/:id/registrations', {
      params: { id: room.id },
      body: { resident: { name, idType: 'resident_id', idNumber: residentIdNumber(birth, this.rng.int(1, 999)) }, credentials: [credential] },
    })
    this.tenants.push({ name, registrationId: r.registration.id, buildingId: g.buildingId, room: room.number, credential, inside: false, newcomer: true })
    await this.synced(g)
    this.o.log(`${g.landlordName} registered ${name}, who moves into room ${room.number} of ${g.buildingId} (card ${credential.value})`)
  }

  /** The active tenants of a building with a card the reader can read. */
  private async learnTenants (buildingId: string, api: ApiClient): Promise<void> {
    const regs = await api.request('GET /buildings/:id/registrations', { params: { id: buildingId }, query: { status: 'active' } })
    for (const reg of regs) {
      const creds = await api.request('GET /registrations/:id/credentials', { params: { id: reg.id } })
      const c = creds.find((x) => x.status === 'active' && (x.kind === 'card' || x.kind === 'ic_card' || x.kind === 'qr'))
      if (c === undefined) continue
      this.tenants.push({
        name: reg.resident.name, registrationId: reg.id, buildingId, room: reg.roomNumber, credential: { kind: c.kind, value: c.value },
        inside: this.rng.chance(0.5), newcomer: false,
      })
    }
  }

  /** Until the gate's reader holds the building's allow-list (at most 5 s). */
  private async synced (g: Gate): Promise<void> {
    const b = await this.o.admin.request('GET /buildings/:id', { params: { id: g.buildingId } })
    const end = Date.now() + 5000
    while (g.reader.connected && g.reader.allowlistVersion < b.allowlistVersion && Date.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  private gateOf (buildingId: string): Gate {
    return this.gates.find((g) => g.buildingId === buildingId)!
  }

  private readSecrets (): Map<string, SecretsFile['devices'][number]> {
    if (this.o.secretsFile === undefined) return new Map()
    try {
      const file = JSON.parse(readFileSync(this.o.secretsFile, 'utf8')) as SecretsFile
      return new Map(file.devices.map((d) => [d.clientId, d]))
    } catch {
      return new Map()
    }
  }

  private async pause (ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      this.wake = () => { clearTimeout(timer); resolve() }
    })
    this.wake = undefined
  }
}
