// One lifecycle for the platform's parts: each is started in order and, on
// shutdown or when a later start fails, what started is stopped in reverse.
// A stop that throws is logged and the rest still stop, so one failing part
// cannot keep the ports or the database open. (zigbee2mqtt's controller
// starts its extensions the same way.)

import type { Logger } from 'pino'

export interface Component {
  readonly name: string
  start (): Promise<void> | void
  stop (): Promise<void> | void
}

type Step = () => Promise<void> | void
const nothing: Step = () => {}

/** A component from a part whose start and stop are methods of its own (most parts have no name). */
export function component (name: string, part: { start: Step; stop: Step }): Component {
  return { name, start: () => part.start(), stop: () => part.stop() }
}

/** A component from two functions: `start` may be nothing (already running), `stop` too (nothing to undo). */
export function steps (name: string, start: Step = nothing, stop: Step = nothing): Component {
  return { name, start, stop }
}

export class Lifecycle {
  private readonly running: Component[] = []
  private stopping: Promise<void> | undefined

  /** `cancel`: once aborted (a stop while starting), no further part is started: start() throws its reason. */
  constructor (private readonly logger: Logger, private readonly cancel?: AbortSignal) {}

  /** Starts `c` and keeps it for stop(); a start that throws leaves it out (it undoes itself). */
  async start (c: Component): Promise<void> {
    this.cancel?.throwIfAborted()
    await c.start()
    this.running.push(c)
    // Stopped while this part started: it is kept, so stop() undoes it, and nothing after it starts.
    this.cancel?.throwIfAborted()
  }

  /** Starts the list in order; when one fails, stops what started, newest first, and throws its error. */
  async startAll (list: readonly Component[]): Promise<void> {
    try {
      for (const c of list) await this.start(c)
    } catch (err) {
      await this.stop()
      throw err
    }
  }

  /** The names of what runs, in start order. */
  names (): string[] {
    return this.running.map((c) => c.name)
  }

  /**
   * Stops what started, newest first; a failing stop is logged and the rest still stop. Safe to call twice: a
   * call while a stop runs waits for that one (two would stop parts side by side, out of order).
   */
  stop (): Promise<void> {
    this.stopping ??= this.stopRunning().finally(() => { this.stopping = undefined })
    return this.stopping
  }

  private async stopRunning (): Promise<void> {
    while (this.running.length > 0) {
      const c = this.running.pop()!
      try {
        await c.stop()
      } catch (err) {
        this.logger.error({ err, part: c.name }, 'error while stopping')
      }
    }
  }
}
