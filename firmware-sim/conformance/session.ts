// The steps of a conformance run, in order: wait for the device, wait for
// its online status, configure it and send it the commands, watch its
// heartbeats (and line counts), then (listen mode) cut its connection and
// watch it come back. Every step only records; the checks judge afterwards.

import { allowlistCommands, configCommand, KIT_CREDENTIALS, openDoorCommand, type PlannedCommand } from './commands.ts'
import { channelOf, deviceTree, jsonObject, onChannel, type Observation } from './observation.ts'
import type { Transport } from './transport.ts'
import { sleepUntil, waitFor } from './wait.ts'

export interface SessionSettings {
  door?: string
  heartbeatS: number
  lineCountPeriodS: number
  intervals: number
  replyTimeoutMs: number
  connectTimeoutMs: number
  outageS: number
  reconnectTimeoutS: number
  graceS: number
  replayWaitS: number
  reconnect: boolean
  clock: () => number
  /** The reader's allow-list key, 64 hex digits. */
  allowlistKey: string
  /** Readers: called once the allow-lists are in place; present the kit's credentials now. */
  presentCredentials?: () => Promise<void>
  duringOutage?: () => Promise<void>
  prompt?: (text: string) => Promise<void>
  log: (line: string) => void
}

export class Session {
  private readonly obs: Observation

  constructor (private readonly t: Transport, private readonly s: SessionSettings) {
    this.obs = t.observation
  }

  /** Runs every step; returns why the run stopped early, if it did. */
  async run (): Promise<string | undefined> {
    const aborted = await this.awaitDevice()
    if (aborted !== undefined) return aborted
    await this.configureAndCommand()
    if (this.s.reconnect && this.t.dropConnection !== undefined) await this.outage()
    else if (!this.s.reconnect) this.obs.skipped.reconnect = 'skipped on request (--skip reconnect)'
    return undefined
  }

  private now (): number {
    return this.s.clock()
  }

  private onlineStatusOn (connection: number): boolean {
    return onChannel(this.obs, 'status').some((p) => (connection < 0 || p.connection === connection) && jsonObject(p.payload)?.state === 'online')
  }

  private async awaitDevice (): Promise<string | undefined> {
    const { obs, s } = this
    const seconds = s.connectTimeoutMs / 1000
    if (obs.mode === 'listen') {
      s.log(`waiting up to ${seconds} s for device ${obs.deviceId} to connect to ${this.t.endpoint}`)
      if (!(await waitFor(() => this.t.currentConnection() >= 0, { realMs: s.connectTimeoutMs }))) {
        const others = obs.others.length > 0 ? `; other clients connected: ${[...new Set(obs.others)].join(', ')}` : ''
        return `no connection with client id or user name ${obs.deviceId} within ${seconds} s${others}`
      }
      const c = this.t.currentConnection()
      s.log(`device connected (attempt ${c}); waiting for its online status`)
      await waitFor(() => this.onlineStatusOn(c), { realMs: s.replyTimeoutMs })
      // Commands sent before the device has subscribed would be lost.
      await waitFor(() => obs.subscribes.some((x) => x.connection === c && x.filter.startsWith(`${deviceTree(obs)}command/`)), { realMs: 2000 })
      return undefined
    }
    // The device shows it is there with an online status (retained or live), a heartbeat or an event.
    s.log(`watching ${deviceTree(obs)}# on ${this.t.endpoint}; waiting up to ${seconds} s for the device to show up`)
    const present = (): boolean => this.onlineStatusOn(-1) || obs.publishes.some((p) => /^(heartbeat|event\/)/.test(channelOf(obs, p.topic) ?? ''))
    if (!(await waitFor(present, { realMs: s.connectTimeoutMs }))) {
      return `no online status, heartbeat or event under ${deviceTree(obs)} within ${seconds} s: is the device connected to this broker?`
    }
    return undefined
  }

  private doorOf (): string | undefined {
    if (this.s.door !== undefined) return this.s.door
    for (const p of onChannel(this.obs, 'status')) {
      const doors = jsonObject(p.payload)?.doors
      if (Array.isArray(doors) && typeof doors[0] === 'string') return doors[0]
    }
    return undefined
  }

  private async send (c: PlannedCommand): Promise<void> {
    const at = this.now()
    this.obs.commands.push({ purpose: c.purpose, name: c.name, requestId: c.payload.requestId, at, realAt: Date.now(), payload: c.payload })
    this.s.log(`→ ${c.name} (${c.purpose}), requestId ${c.payload.requestId}`)
    try {
      await this.t.sendCommand(c.name, c.payload)
    } catch (err) {
      this.s.log(`  could not send: ${err instanceof Error ? err.message : String(err)}`)
      return
    }
    const replied = await waitFor(() => onChannel(this.obs, 'reply').some((p) => jsonObject(p.payload)?.requestId === c.payload.requestId), { realMs: this.s.replyTimeoutMs })
    this.s.log(replied ? '  ← reply' : `  no reply within ${this.s.replyTimeoutMs / 1000} s`)
  }

  private async configureAndCommand (): Promise<void> {
    const { obs, s } = this
    const iso = (): string => new Date(this.now()).toISOString()
    const camera = obs.kind === 'camera'
    const from = this.now()
    await this.send(configCommand(iso(), { heartbeatS: s.heartbeatS, ...(camera ? { lineCountPeriodS: s.lineCountPeriodS } : {}) }))
    if (!camera) {
      for (const c of allowlistCommands(iso(), s.allowlistKey)) await this.send(c)
      obs.decisionsFrom = this.now()
      const door = this.doorOf()
      if (door === undefined) obs.skipped.commands = 'open-door not sent: no --door given and no doors in the online status'
      else await this.send(openDoorCommand(iso(), door))
      const { qr, pin } = KIT_CREDENTIALS
      const what = `present the kit's test credentials at the reader: the QR code "${qr.value}", the PIN ${pin.value}, and any card`
      s.log(`allow-lists in place; ${what} (decisions are judged from now on)`)
      await s.presentCredentials?.()
      await s.prompt?.(`Now ${what}, then press Enter.`)
    }
    // Heartbeats (and line counts) on the new schedule: the first may still come on the old one.
    const need = s.intervals + 1
    const longest = Math.max(s.heartbeatS, camera ? s.lineCountPeriodS : 0)
    const until = from + (s.graceS + need * longest * 1.25) * 1000
    s.log(`watching heartbeats${camera ? ' and line counts' : ''} (up to ${Math.round((until - this.now()) / 1000)} s)`)
    const beats = (): number => onChannel(obs, 'heartbeat').filter((p) => p.at >= from).length
    const lines = (): number => onChannel(obs, 'event/line').filter((p) => p.at >= from && jsonObject(p.payload)?.periodS === s.lineCountPeriodS).length
    await waitFor(() => beats() >= need && (!camera || lines() >= need), { until, clock: s.clock })
    const to = this.now()
    obs.heartbeatWindow = { from, to, heartbeatS: s.heartbeatS }
    if (camera) obs.lineWindow = { from, to, periodS: s.lineCountPeriodS }
  }

  private async outage (): Promise<void> {
    const { obs, s, t } = this
    const lastConnection = t.currentConnection()
    if (lastConnection < 0) {
      obs.skipped.reconnect = 'the device was not connected when the outage step began'
      return
    }
    const droppedAt = this.now()
    t.refuseConnections?.(true)
    t.dropConnection?.()
    const out: NonNullable<Observation['outage']> = { droppedAt, lastConnection }
    obs.outage = out
    const what = obs.kind === 'reader' ? 'present a card (any card) at the reader' : 'walk past the camera (its line counts go on anyway)'
    s.log(`dropped the device's connection; refusing it for ${s.outageS} s. While it is offline, ${what}.`)
    await s.duringOutage?.()
    await s.prompt?.(`The device is offline now: ${what}, then press Enter.`)
    await sleepUntil(droppedAt + s.outageS * 1000, s.clock)
    t.refuseConnections?.(false)
    out.reopenedAt = this.now()
    s.log(`accepting connections again; waiting up to ${s.reconnectTimeoutS} s for the device`)
    const back = await waitFor(() => t.currentConnection() > lastConnection, { until: droppedAt + s.reconnectTimeoutS * 1000, clock: s.clock })
    if (back) {
      const c = t.currentConnection()
      out.reconnection = c
      s.log(`device back (attempt ${c}); waiting for its online status and replay`)
      await waitFor(() => this.onlineStatusOn(c), { realMs: s.replyTimeoutMs })
      const settle = this.now() + s.replayWaitS * 1000
      await sleepUntil(settle, s.clock)
    } else {
      s.log('the device did not come back')
    }
    out.observedUntil = this.now()
  }
}
