// A reader that has served its building and cannot receive its allow-list
// keeps deciding on the list it holds: cards revoked since still open its
// door. While that lasts, one major `reader_not_updated` alert is open for the
// reader, saying why and what to do: its approval was withdrawn by a vendor's
// rotation (the landlord approves it again), it has no allow-list key (a
// reader of protocol revision 1: upgrade and rotate its secret), or it refused
// its list with `wrong_key` (install the key of its last rotation). The alert
// is resolved once the reader confirms the list it was sent, or once the
// reader is disabled or gone: a disabled reader is sent no list at all and
// never connects to confirm one; `device_offline` tells of it instead.
//
// Judged on every change of a device, whenever the pusher withholds a list,
// on a `wrong_key` reply, and for every reader at start. A condition episode
// is raised once: resolved by a person while it still holds, it stays
// resolved until the reader has its list (or the platform restarts).

import type { Logger } from 'pino'
import type { AlertCandidate } from '../pipeline/model.ts'
import { says } from '../../contract/alert-wording.ts'
import type { ListOutcomes } from './allowlist-pusher.ts'
import type { WithheldReader } from '../registry/devices.ts'
import type { Registry } from '../registry/registry.ts'

export const READER_NOT_UPDATED = 'reader_not_updated'

/** Why a reader's list does not reach it. */
export type NotUpdatedWhy = WithheldReader['why'] | 'wrong_key'

const keyOf = (deviceId: string): string => `${READER_NOT_UPDATED}:${deviceId}`

/** What the alert says, by why (the wording: contract/alert-wording.ts). */
const SAYS = {
  awaiting_approval: 'reader_not_updated.awaiting_approval',
  needs_key: 'reader_not_updated.needs_key',
  wrong_key: 'reader_not_updated.wrong_key',
} as const satisfies Record<NotUpdatedWhy, string>

/** The alert for a reader whose list does not reach it. Pure. */
export function readerNotUpdated (r: { deviceId: string; buildingId: string; door: string }, why: NotUpdatedWhy, at: number): AlertCandidate {
  return {
    type: READER_NOT_UPDATED,
    severity: 'major',
    dedupKey: keyOf(r.deviceId),
    buildingId: r.buildingId,
    door: r.door,
    deviceId: r.deviceId,
    evidence: [],
    ...says(SAYS[why], { device: r.deviceId, door: r.door }),
    at,
  }
}

export interface ReaderAlertSink {
  raise (candidate: AlertCandidate): Promise<unknown>
}

export class ReaderUpdateAlerts implements ListOutcomes {
  /** Readers whose episode is raised (its alert may since have been resolved by a person). */
  private readonly raised = new Set<string>()
  private unsubscribe: (() => void) | undefined
  /** One judgement at a time: a raise and the clear after it reach the database in that order. */
  private turn: Promise<void> = Promise.resolve()

  /** `now`: the devices' clock (alert times are event times), as the rules have it. */
  constructor (private readonly deps: { registry: Registry; alerts: ReaderAlertSink; logger: Logger; now?: () => number }) {}

  /** Adopts the alerts open before a restart, then judges every reader. */
  async start (): Promise<void> {
    const live = await this.deps.registry.ctx.db.query<{ device_id: string }>(
      `select device_id from alerts where type = $1 and status <> 'resolved' and device_id is not null`, [READER_NOT_UPDATED])
    for (const a of live.rows) this.raised.add(a.device_id)
    this.unsubscribe = this.deps.registry.events.subscribe({
      registryChanged: ({ kind, id }) => { if (kind === 'device') this.check(id) },
    })
    this.check()
    await this.turn
  }

  async stop (): Promise<void> {
    this.unsubscribe?.()
    this.unsubscribe = undefined
    await this.turn
  }

  /**
   * Judges one reader (or all): a served reader that cannot receive its list gets its alert; the episode of a
   * reader since disabled or gone ends.
   */
  check (deviceId?: string): void {
    this.inTurn(async () => {
      for (const r of await this.deps.registry.devices.withheldReaders(deviceId)) await this.open(r, r.why)
      await this.endDisabled(deviceId)
    })
  }

  /** The pusher did not send the reader a list. */
  withheld (device: { deviceId: string }): void {
    this.check(device.deviceId)
  }

  /** The reader answered its list with `wrong_key`. */
  refused (device: { deviceId: string; buildingId: string }): void {
    this.inTurn(async () => {
      const r = await this.deps.registry.ctx.db.query<{ door: string }>('select door from devices where id = $1', [device.deviceId])
      const door = r.rows[0]?.door
      if (door !== undefined) await this.open({ ...device, door }, 'wrong_key')
    })
  }

  /** The reader confirmed the list it was sent: its episode, if any, ends. */
  confirmed (device: { deviceId: string; buildingId: string }): void {
    // In turn, after any raise queued before it (a wrong_key reply, then an ok): no cheaper test can be made here.
    this.inTurn(async () => {
      if (this.raised.has(device.deviceId)) await this.end(device, 'cleared.reader_confirmed')
    })
  }

  /** Ends the episode of every raised reader (or `deviceId`) that is disabled or no longer registered. */
  private async endDisabled (deviceId?: string): Promise<void> {
    const watched = [...this.raised].filter((id) => deviceId === undefined || id === deviceId)
    if (watched.length === 0) return
    // The building of a reader no longer registered is the one its alert was raised in.
    const off = await this.deps.registry.ctx.db.query<{ id: string; building_id: string | null; registered: boolean }>(
      `select w.id, d.id is not null as registered,
              coalesce(d.building_id, (select a.building_id from alerts a where a.type = $2 and a.device_id = w.id
                order by a.created_at desc limit 1)) as building_id
         from unnest($1::text[]) as w (id) left join devices d on d.id = w.id
        where d.id is null or not d.enabled`, [watched, READER_NOT_UPDATED])
    for (const r of off.rows) {
      if (r.building_id === null) this.raised.delete(r.id)
      else await this.end({ deviceId: r.id, buildingId: r.building_id }, r.registered ? 'cleared.reader_disabled' : 'cleared.reader_gone')
    }
  }

  private async end (device: { deviceId: string; buildingId: string }, code: 'cleared.reader_confirmed' | 'cleared.reader_disabled' | 'cleared.reader_gone'): Promise<void> {
    await this.deps.alerts.raise({
      type: READER_NOT_UPDATED, severity: 'info', dedupKey: keyOf(device.deviceId), buildingId: device.buildingId, deviceId: device.deviceId,
      evidence: [], ...says(code, {}), at: this.now(), clears: true,
    })
    this.raised.delete(device.deviceId)
  }

  private async open (r: { deviceId: string; buildingId: string; door: string }, why: NotUpdatedWhy): Promise<void> {
    if (this.raised.has(r.deviceId)) return
    // Known raised once written: a raise the database refused is tried again at the next look.
    await this.deps.alerts.raise(readerNotUpdated(r, why, this.now()))
    this.raised.add(r.deviceId)
  }

  private now (): number {
    return this.deps.now?.() ?? Date.now()
  }

  private inTurn (job: () => Promise<void>): void {
    this.turn = this.turn.then(job).catch((err: unknown) => this.deps.logger.error({ err }, 'reader_not_updated alert failed'))
  }
}
