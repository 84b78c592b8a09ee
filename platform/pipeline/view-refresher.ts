// Keeps the pipeline's in-memory registry view current: every registry
// change reloads the building it touched. Changes that arrive while a
// building is reloading fold into one more reload, so a burst of
// registrations costs a couple of reloads, and the view never lags behind
// the last committed change by more than one reload.

import type { Logger } from 'pino'
import type { RegistryEvents } from '../registry/context.ts'
import type { MemoryRegistryView } from './registry-view.ts'

export class ViewRefresher {
  readonly counters = { reloads: 0, failures: 0 }
  private readonly running = new Map<string, Promise<void>>()
  private readonly again = new Set<string>()
  private unsubscribe: (() => void) | undefined

  constructor (private readonly deps: { view: MemoryRegistryView; events: RegistryEvents; logger: Pick<Logger, 'error'> }) {}

  start (): void {
    this.unsubscribe = this.deps.events.subscribe({
      registryChanged: ({ buildingId }) => this.refresh(buildingId),
      // Emitted before the device is disconnected: the view knows of a disable before its offline status arrives.
      deviceLoginChanged: ({ deviceId, enabled }) => this.deps.view.setDeviceEnabled(deviceId, enabled),
    })
  }

  /** Waits for reloads under way (tests, shutdown). */
  async idle (): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()])
  }

  async stop (): Promise<void> {
    this.unsubscribe?.()
    await this.idle()
  }

  refresh (buildingId: string): void {
    if (this.running.has(buildingId)) {
      this.again.add(buildingId)
      return
    }
    const run = (async () => {
      do {
        this.again.delete(buildingId)
        try {
          await this.deps.view.reloadBuilding(buildingId)
          this.counters.reloads++
        } catch (err) {
          this.counters.failures++
          this.deps.logger.error({ err, buildingId }, 'could not reload the registry view of a building; the pipeline uses the previous one')
        }
      } while (this.again.has(buildingId))
    })().finally(() => this.running.delete(buildingId))
    this.running.set(buildingId, run)
  }
}
