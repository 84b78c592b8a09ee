// Relays connection lifecycle to the DevicePresenceListener: one queue per
// device so its calls arrive in order (a takeover's "disconnected" of the old
// session before the "connected" of the new one), "disconnected" only after
// the session's last will was handled, and a failing listener only logged.

import type { Logger } from 'pino'
import type { DeviceIdentity } from './device-session.ts'
import type { DevicePresenceListener } from './ports.ts'

export class PresenceRelay {
  private readonly queues = new Map<string, Promise<void>>()

  constructor (private readonly listener: DevicePresenceListener | undefined, private readonly logger: Logger) {}

  connected (device: DeviceIdentity): void {
    this.enqueue(device.deviceId, () => this.listener?.deviceConnected?.({ ...device }))
  }

  commandsSubscribed (device: DeviceIdentity): void {
    this.enqueue(device.deviceId, () => this.listener?.commandsSubscribed?.({ ...device }))
  }

  disconnected (device: DeviceIdentity, willSettled: Promise<void>): void {
    this.enqueue(device.deviceId, async () => {
      await willSettled
      this.listener?.deviceDisconnected?.({ ...device })
    })
  }

  /** Resolves once every queued call has run. */
  async settled (): Promise<void> {
    while (this.queues.size > 0) await Promise.allSettled([...this.queues.values()])
  }

  private enqueue (deviceId: string, step: () => unknown): void {
    if (!this.listener) return
    const previous = this.queues.get(deviceId) ?? Promise.resolve()
    const next = previous.then(async () => { await step() }).catch((err: unknown) => {
      try { this.logger.error({ err, deviceId }, 'presence listener failed') } catch { /* nothing left to do */ }
    })
    this.queues.set(deviceId, next)
    void next.then(() => {
      if (this.queues.get(deviceId) === next) this.queues.delete(deviceId)
    })
  }
}
