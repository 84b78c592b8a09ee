// A simulated door camera: counts people crossing the door line and reports
// the counts once per period, zeros included (§7.4); reports detections with
// a snapshot reference, never the image (§7.5).

import type { CommandName, Config } from '../../protocol/index.ts'
import { errorBody, type ReplyBody } from '../../protocol/device-client/index.ts'
import type { DeviceCredentials, SimCamera } from './device-api.ts'
import { DeviceCore } from './device-core.ts'
import type { SimDeviceOptions } from './options.ts'

/** Periods caught up on one tick at most (a clock that jumped far ahead does not flood the buffer). */
const MAX_PERIODS_PER_TICK = 1000

export class SimCameraDevice extends DeviceCore implements SimCamera {
  private periodStart: number | undefined
  private readonly counts = { in: 0, out: 0 }
  private detections = 0

  constructor (creds: DeviceCredentials, options: SimDeviceOptions) {
    super(creds, options, 'camera', options.onLog)
  }

  cross (direction: 'in' | 'out', people = 1): void {
    if (!Number.isInteger(people) || people < 0) throw new RangeError(`people must be a whole number ≥ 0, not ${people}`)
    this.counts[direction] += people
  }

  async detect (count: number): Promise<void> {
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`a detection counts at least one person, not ${count}`)
    const t = this.clock.now()
    this.detections++
    this.recordEvent('event/person', {
      door: this.door,
      zone: 'entrance',
      count,
      confidence: 0.9,
      snapshot: `sim://${this.deviceId}/snapshots/${t}-${this.detections}.jpg`,
    }, t)
  }

  protected execute (name: Exclude<CommandName, 'config'>): ReplyBody {
    return errorBody('unsupported', `a camera does not carry out ${name}`)
  }

  protected override ticked (now: number): void {
    if (this.periodStart === undefined) {
      this.periodStart = now
      return
    }
    const periodMs = this.settings.lineCountPeriodS * 1000
    for (let i = 0; i < MAX_PERIODS_PER_TICK && now - this.periodStart >= periodMs; i++) {
      this.closePeriod(this.periodStart + periodMs)
    }
    if (now - this.periodStart >= periodMs) this.periodStart = now // far behind: skip the rest
  }

  /** A new period length applies from now: the running period ends here (if a second or more long). */
  protected override configured (c: Config, now: number): void {
    if (c.lineCountPeriodS === undefined || this.periodStart === undefined) return
    const elapsedS = Math.floor((now - this.periodStart) / 1000)
    if (elapsedS >= 1) this.closePeriod(this.periodStart + elapsedS * 1000)
  }

  private closePeriod (end: number): void {
    const periodS = Math.round((end - this.periodStart!) / 1000)
    this.recordEvent('event/line', { door: this.door, in: this.counts.in, out: this.counts.out, periodS }, end)
    this.counts.in = 0
    this.counts.out = 0
    this.periodStart = end
  }
}
