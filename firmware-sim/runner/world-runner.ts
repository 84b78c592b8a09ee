// Carries out the world's actions against a real platform: registrations,
// departures, credentials, visitor passes and approvals through the landlord's
// API session, secret rotations through the vendor's; swipes, door events,
// outages, clock drift and newly installed secrets through the simulated
// devices, which speak only MQTT. Each action is done when the simulation
// clock reaches its time and is recorded with the time it was actually done
// and, for swipes, what the reader decided; the ground truth is derived from
// this record.

import { createCamera, createReader, type DeviceCredentials, type SimCameraDevice, type SimReaderDevice } from '../device/index.ts'
import type { Action, CredentialSpec, PassAction, Site } from '../world/model.ts'
import type { SimClock } from '../world/sim-clock.ts'
import type { ApiClient } from '../../contract/client.ts'
import type { CredentialInput } from '../../contract/schemas/registry.ts'

export interface RunnerStats {
  actions: number
  passes: number
  denied: number
  /** Swipes the reader decided otherwise than the world expected. */
  deviations: string[]
  failures: string[]
  /** Latest an action was done after its time, sim ms. */
  maxLagMs: number
}

export interface WorldRunnerOptions {
  site: Site
  landlord: ApiClient
  /** The devices' vendor (rotates secrets). */
  vendor: ApiClient
  clock: SimClock
  devices: Map<string, DeviceCredentials>
  heartbeatS: number
  cameraPeriodS: number
  log: (line: string) => void
}

type Device = SimReaderDevice | SimCameraDevice

const iso = (t: number | undefined): string | undefined => t === undefined ? undefined : new Date(t).toISOString()

/** Waits for `p`, at most `ms` of real time (the world goes on either way; the record has what was done). */
const within = async (ms: number, p: Promise<unknown>): Promise<void> => {
  await Promise.race([p, new Promise((resolve) => setTimeout(resolve, ms))])
}

/** Resolves once `done()` holds (looking every 5 real ms), or after `ms` of real time. */
const until = async (done: () => boolean, ms: number): Promise<void> => {
  const end = Date.now() + ms
  while (!done() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 5))
}

export class WorldRunner {
  readonly stats: RunnerStats = { actions: 0, passes: 0, denied: 0, deviations: [], failures: [], maxLagMs: 0 }
  /** Platform ids of the world's credentials and residents, once issued. */
  readonly credentialIds = new Map<string, string>()
  readonly residentIds = new Map<string, string>()
  private readonly registrationIds = new Map<string, string>()
  private readonly readers = new Map<string, SimReaderDevice>()
  private readonly cameras = new Map<string, SimCameraDevice>()
  private readonly byId = new Map<string, Device>()
  private readonly offsets = new Map<string, number>()
  private readonly credentials: Map<string, CredentialSpec>
  private readonly persons: Map<string, Site['persons'][number]>

  constructor (private readonly o: WorldRunnerOptions) {
    this.credentials = new Map(o.site.credentials.map((c) => [c.ref, c]))
    this.persons = new Map(o.site.persons.map((p) => [p.ref, p]))
  }

  /** Connects every device (each with its own clock, which drift can move). */
  async startDevices (): Promise<void> {
    for (const [id, creds] of this.o.devices) {
      const spec = this.o.site.buildings.flatMap((b) => b.devices).find((d) => d.id === id)!
      const clock = { now: () => this.o.clock.now() + (this.offsets.get(id) ?? 0) }
      const options = {
        clock, heartbeatS: this.o.heartbeatS, lineCountPeriodS: this.o.cameraPeriodS, tickMs: 20,
        onLog: (e: { level: string; msg: string; detail?: unknown }) => { if (e.level !== 'info') this.o.log(`device ${id}: ${e.msg} ${JSON.stringify(e.detail ?? '')}`) },
      }
      const where = `${spec.buildingId}/${spec.door}`
      if (spec.kind === 'reader') {
        const reader = createReader(creds, options)
        this.readers.set(where, reader)
        this.byId.set(id, reader)
      } else {
        const camera = createCamera(creds, options)
        this.cameras.set(where, camera)
        this.byId.set(id, camera)
      }
    }
    await Promise.all([...this.byId.values()].map((d) => d.start()))
  }

  async stopDevices (): Promise<void> {
    await Promise.allSettled([...this.byId.values()].map((d) => d.stop({ graceful: true })))
  }

  /**
   * Waits until every connected reader of the building holds the building's allow-list version, except one
   * re-keyed and not approved again yet: it gets no list meanwhile.
   */
  async syncAllowlists (buildingId: string, timeoutMs = 5000): Promise<void> {
    const b = await this.o.landlord.request('GET /buildings/:id', { params: { id: buildingId } })
    const readers = [...this.readers.entries()].filter(([k, r]) => k.startsWith(`${buildingId}/`) && r.listUnderOwnKey).map(([, r]) => r)
    const end = Date.now() + timeoutMs
    while (readers.some((r) => r.connected && r.allowlistVersion < b.allowlistVersion)) {
      if (Date.now() > end) {
        this.o.log(`warning: readers of ${buildingId} did not reach allow-list version ${b.allowlistVersion} within ${timeoutMs} ms`)
        return
      }
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }

  /**
   * Does the actions in order, each when the clock reaches its time (or at
   * once, unpaced, for the setup), and returns the record: the actions done,
   * with their actual times and results (actions that failed are left out).
   * `onStep` is called after each one.
   */
  async run (actions: readonly Action[], o: { paced?: boolean; onStep?: (done: number) => void } = {}): Promise<Action[]> {
    const record: Action[] = []
    const paced = o.paced ?? true
    for (const planned of actions) {
      if (paced) await this.o.clock.sleepUntil(planned.at)
      const a = { ...planned }
      const now = this.o.clock.now()
      if (paced) this.stats.maxLagMs = Math.max(this.stats.maxLagMs, now - planned.at)
      a.at = now
      try {
        await this.execute(a)
        record.push(a)
      } catch (err) {
        this.stats.failures.push(`${a.kind} ${a.tag}: ${err instanceof Error ? err.message : String(err)}`)
        this.o.log(`action failed: ${a.kind} (${a.tag}): ${err instanceof Error ? err.message : String(err)}`)
      }
      this.stats.actions++
      o.onStep?.(record.length)
    }
    return record
  }

  private async execute (a: Action): Promise<void> {
    const api = this.o.landlord
    switch (a.kind) {
      case 'pass':
        return this.pass(a)
      case 'door':
        return this.reader(a.deviceId).doorEvent(a.state, a.durationS)
      case 'register': {
        const person = this.persons.get(a.person)!
        const r = await api.request('POST /rooms/:id/registrations', {
          params: { id: a.roomId },
          body: {
            resident: { name: person.name, idType: 'resident_id', idNumber: person.idNumber! },
            ...(a.permitValidUntil === undefined ? {} : { permitValidUntil: a.permitValidUntil }),
            credentials: a.credentials.map((ref) => this.credentialInput(ref)),
          },
        })
        this.registrationIds.set(a.person, r.registration.id)
        this.residentIds.set(a.person, r.registration.resident.id)
        a.credentials.forEach((ref, i) => this.credentialIds.set(ref, r.credentials[i]!.id))
        return this.syncAllowlists(this.buildingOfRoom(a.roomId))
      }
      case 'deregister': {
        const reg = await api.request('POST /registrations/:id/deregister', { params: { id: String(this.registrationIds.get(a.person)) }, body: { reason: 'moved_out' } })
        return this.syncAllowlists(reg.buildingId)
      }
      case 'issue': {
        const c = this.credentials.get(a.credential)!
        const r = await api.request('POST /registrations/:id/credentials', { params: { id: String(this.registrationIds.get(c.holder!)) }, body: this.credentialInput(a.credential) })
        this.credentialIds.set(a.credential, r.id)
        return this.syncAllowlists(c.buildingId)
      }
      case 'revoke': {
        const c = this.credentials.get(a.credential)!
        await api.request('POST /credentials/:id/revoke', { params: { id: String(this.credentialIds.get(a.credential)) }, body: { reason: 'card reported lost' } })
        return this.syncAllowlists(c.buildingId)
      }
      case 'visitor-pass': {
        const c = this.credentials.get(a.credential)!
        const { kind, value, validUntil, windows } = this.credentialInput(a.credential)
        const r = await api.request('POST /rooms/:id/visitor-passes', {
          params: { id: String(c.roomId) },
          body: { kind, value, validUntil: validUntil!, visitorName: this.persons.get(c.holder!)!.name, ...(windows === undefined ? {} : { windows }) },
        })
        this.credentialIds.set(a.credential, r.id)
        return this.syncAllowlists(c.buildingId)
      }
      case 'outage':
        return this.device(a.deviceId).disconnect()
      case 'restore':
        return within(10_000, this.device(a.deviceId).reconnect())
      case 'drift':
        this.offsets.set(a.deviceId, a.offsetMs)
        return
      case 'rekey': {
        const issued = await this.o.vendor.request('POST /devices/:id/rotate-secret', { params: { id: a.deviceId }, body: { allowlistKey: 'new' } })
        await within(10_000, this.device(a.deviceId).installCredentials(issued.mqtt))
        return
      }
      case 'approve': {
        await api.request('POST /devices/:id/approve', { params: { id: a.deviceId } })
        const reader = this.reader(a.deviceId)
        // A connected reader receives its full list under the new key at once.
        await until(() => !reader.connected || reader.listUnderOwnKey, 5000)
      }
    }
  }

  private async pass (a: PassAction): Promise<void> {
    const reader = this.readers.get(`${a.buildingId}/${a.door}`)
    if (reader === undefined) throw new Error(`no reader at ${a.buildingId}/${a.door}`)
    const c = this.credentials.get(a.credential)!
    const result = await reader.present({ kind: c.kind, value: c.value }, a.direction)
    a.result = result
    this.stats.passes++
    if (result === 'denied') this.stats.denied++
    if (a.expect !== undefined && result !== a.expect) {
      this.stats.deviations.push(`${new Date(a.at).toISOString()} ${a.tag} ${c.kind} ${c.value} at ${a.buildingId}/${a.door}: ${result}, expected ${a.expect}`)
    }
    if (result === 'granted') this.cameras.get(`${a.buildingId}/${a.door}`)?.cross(a.direction, Math.max(1, a.crossing))
  }

  private credentialInput (ref: string): CredentialInput & { value: string } {
    const c = this.credentials.get(ref)!
    return {
      kind: c.kind, value: c.value,
      ...(c.validFrom === undefined ? {} : { validFrom: iso(c.validFrom) }),
      ...(c.validUntil === undefined ? {} : { validUntil: iso(c.validUntil) }),
      ...(c.windows === undefined ? {} : { windows: c.windows }),
    }
  }

  private buildingOfRoom (roomId: string): string {
    return this.o.site.buildings.find((b) => b.rooms.some((r) => r.id === roomId))!.id
  }

  private device (id: string): Device {
    const d = this.byId.get(id)
    if (d === undefined) throw new Error(`no device ${id}`)
    return d
  }

  private reader (id: string): SimReaderDevice {
    const d = this.device(id)
    if (!('present' in d)) throw new Error(`${id} is not a reader`)
    return d
  }
}
