// What a started platform is made of (Platform.start in platform.ts resolves
// with it): every part is there, none undefined, so callers need no `!`.

import type { Observable } from 'rxjs'
import type { AlertService } from './alerts/alert-service.ts'
import type { WebhookDispatcher } from './alerts/webhook-dispatcher.ts'
import type { AllowlistPusher } from './allowlist/allowlist-pusher.ts'
import type { App } from './api/app.ts'
import type { MqttBroker } from './broker/mqtt-broker.ts'
import type { AcceptedMessage } from './broker/ports.ts'
import type { DemoSite } from './demo/demo-site.ts'
import type { EventLog } from './events/event-log.ts'
import type { Pipeline, PipelineOptions } from './pipeline/pipeline.ts'
import type { MemoryRegistryView } from './pipeline/registry-view.ts'
import type { Registry } from './registry/registry.ts'
import type { Database } from './store/database.ts'

export interface PlatformAddresses {
  api: string
  docs: string
  mqtt: string
  mqttWs: string | null
  /** MQTT over TLS; null when not configured. */
  mqtts: string | null
  /** MQTT over secure WebSocket; null when not configured. */
  mqttWss: string | null
}

export interface RunningPlatform {
  addresses: PlatformAddresses
  /** Where the API and the broker listen, and the host name handed out (listenHost). */
  listen: { host: string; publicHost: string }
  db: Database
  registry: Registry
  broker: MqttBroker
  app: App
  pusher: AllowlistPusher
  eventLog: EventLog
  view: MemoryRegistryView
  alerts: AlertService
  pipeline: Pipeline
  dispatcher: WebhookDispatcher
  /** Demo accounts still open (enabled, on the published password), whatever DEMO says; undefined: none. */
  demo: DemoSite | undefined
  /** Every fresh uplink message the broker accepted (logged durably first, duplicates removed), replies excepted. */
  accepted$: Observable<AcceptedMessage>
  /** What runs, in start order (component names). */
  components: () => string[]
  /** Stops every part, newest first; safe to call twice. */
  stop: () => Promise<void>
}

/**
 * `database`: use this (already open) database instead of the configured one; tests pass a fresh one.
 * `pipeline`: timing overrides for the pipeline (tests shorten ticks and sweeps).
 * `clock`: the time devices live in, for the broker's receive times and the rules' clock (ms since the
 * epoch; default the system clock). The simulator runs a week in minutes with a clock of its own; the
 * registry, accounts and alert bookkeeping keep the system clock.
 * `registryClock`: the registry's clock instead (tests of what waits for days: a move's due time).
 */
export interface PlatformOptions {
  database?: Database
  pipeline?: Partial<Pick<PipelineOptions, 'tickMs' | 'sweepMs' | 'checkpointMs' | 'batchMs' | 'now'>>
  clock?: () => number
  registryClock?: () => number
}
