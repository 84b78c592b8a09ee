// The composition root: builds every part with its dependencies and starts
// it as a component of one lifecycle (lifecycle.ts), in order; stop() stops
// them in reverse. An accepted message goes broker → uplink router
// (uplink/uplink-router.ts) → event log → pipeline → alerts → live stream.
// `main.ts` runs it from the command line; the tests, `sim`, `load` and
// `bench` start it through starter.ts.

import { chmodSync, existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { Subject } from 'rxjs'
import { AlertService } from './alerts/alert-service.ts'
import { AlertEscalation } from './alerts/escalation.ts'
import { rekeyLegacyAlerts } from './alerts/legacy-keys.ts'
import { LiveStream } from './alerts/live-stream.ts'
import { MqttAlertPublisher } from './alerts/mqtt-alert-publisher.ts'
import { webhookSecretSealer } from './alerts/signature.ts'
import { WebhookDispatcher } from './alerts/webhook-dispatcher.ts'
import type { WebhookTargetPolicy } from './alerts/webhook-target.ts'
import { sealLegacyWebhookSecrets, Webhooks } from './alerts/webhooks.ts'
import { AllowlistPusher } from './allowlist/allowlist-pusher.ts'
import { ReaderUpdateAlerts } from './allowlist/reader-not-updated.ts'
import { CommandLog } from './devices/command-log.ts'
import { DeviceConfigPusher, presenceListeners } from './devices/device-config-pusher.ts'
import { buildApp, type App } from './api/app.ts'
import { EventLoopWatch } from './api/event-loop-watch.ts'
import { judgeHealth, judgeLiveness } from './api/routes/health.ts'
import type { DeviceConnectivity } from './api/device-connectivity.ts'
import { MqttBroker } from './broker/mqtt-broker.ts'
import type { AcceptedMessage } from './broker/ports.ts'
import { listenHost, type Config } from './config.ts'
import { detectDemoSite, seedDemoSite } from './demo/demo-site.ts'
import { EventHistory } from './events/event-history.ts'
import { EventLog } from './events/event-log.ts'
import { writeDurably } from './store/durable-file.ts'
import { EventRetention } from './events/retention.ts'
import { component, Lifecycle, steps } from './lifecycle.ts'
import { DEFAULT_RULE_PARAMS } from './pipeline/model.ts'
import { Pipeline } from './pipeline/pipeline.ts'
import { SqlPipelineStore } from './pipeline/pipeline-store.ts'
import { MemoryRegistryView } from './pipeline/registry-view.ts'
import { ViewRefresher } from './pipeline/view-refresher.ts'
import { CredentialSecrets } from './privacy/credential-secrets.ts'
import { IdVault } from './privacy/id-vault.ts'
import { PersonalDataRetention } from './privacy/personal-data-retention.ts'
import { DeviceLogins } from './registry/device-logins.ts'
import { sealLegacyPins, type CredentialKind } from './registry/credentials.ts'
import { personDirectory } from './registry/person-directory.ts'
import { Registry } from './registry/registry.ts'
import type { Database } from './store/database.ts'
import { migrate } from './store/migrate.ts'
import { PgDatabase } from './store/pg-database.ts'
import { PgliteWorkerDatabase } from './store/pglite-worker-database.ts'
import { preparePrivateDir, tightenTree } from './store/private-files.ts'
import { describeDatabaseUrl, waitForDatabase } from './store/wait-for-database.ts'
import { GradeProposalJob, GradeProposals } from './policy/grade-proposals.ts'
import { AreaPolicies } from './policy/area-policy.ts'
import { PermitWatch, permitWatchJob } from './policy/permit-watch.ts'
import { Reconciliations, reconciliationJob } from './policy/reconciliation.ts'
import { VacancyProposals, vacancyJob } from './policy/vacancy.ts'
import { HouseScores } from './policy/house-scores.ts'
import { Patrols } from './policy/patrols.ts'
import { KpiReaderComponent, KpiSnapshotJob } from './policy/kpi-jobs.ts'
import { patrolHeadcounts } from './policy/kpi-facts.ts'
import { Kpis } from './policy/kpi-service.ts'
import { DEFAULT_KPI_PARAMS } from './policy/kpis.ts'
import { UplinkRouter } from './uplink/uplink-router.ts'
import type { PlatformAddresses, PlatformOptions, RunningPlatform } from './running-platform.ts'

const DEMO_SECRETS_FILE = 'demo-devices.json'
/** What the platform keeps in DATA_DIR. */
const PRIVATE_ENTRIES = ['registry', 'journal', 'data.key', DEMO_SECRETS_FILE]
/** How long stop() lets a start step under way end before it stops the parts anyway. */
const STOP_WAITS_FOR_START_MS = 15_000

export type { PlatformAddresses, PlatformOptions, RunningPlatform } from './running-platform.ts'

export class Platform {
  private readonly accepted$ = new Subject<AcceptedMessage>()
  // Known once started: the webhook policy asks for the ports before then, addresses() after.
  private app: App | undefined
  private broker: MqttBroker | undefined
  private listen: { host: string; publicHost: string } | undefined
  private readonly parts: Lifecycle
  /** Aborted by stop(): a start still waiting (for the database) gives up, and no further part starts. */
  private readonly startup = new AbortController()
  /** The start under way (settled, never rejected), so stop() lets its current step end before stopping. */
  private starting: Promise<void> | undefined

  /** `options`: see PlatformOptions (running-platform.ts). */
  constructor (
    private readonly config: Config, private readonly logger: Logger,
    private readonly options: PlatformOptions = {},
  ) {
    this.parts = new Lifecycle(logger, this.startup.signal)
  }

  /** Starts every part in order; on a failure (or a stop meanwhile) stops what started and throws. */
  async start (): Promise<RunningPlatform> {
    const started = this.startParts()
    this.starting = started.then(() => {}, () => {})
    try {
      return await started
    } catch (err) {
      await this.stop()
      throw err
    }
  }

  private async startParts (): Promise<RunningPlatform> {
    const { config, logger, parts } = this
    const clock = this.options.clock === undefined ? {} : { now: this.options.clock }
    const loop = new EventLoopWatch()
    await parts.start(component('event-loop-watch', loop))
    preparePrivateDir(config.dataDir, config.dataDirShared)
    // What an older version (or the embedded database's initial files) left open to other users.
    for (const entry of PRIVATE_ENTRIES) tightenTree(join(config.dataDir, entry))
    const db: Database = this.options.database ?? (config.databaseUrl === undefined
      ? await PgliteWorkerDatabase.open(join(config.dataDir, 'registry'))
      : new PgDatabase(config.databaseUrl))
    // A new embedded database unpacks its initial files 0666.
    tightenTree(join(config.dataDir, 'registry'))
    // A database given by the caller is the caller's to close.
    if (this.options.database === undefined) await parts.start(steps('database', undefined, () => db.close()))
    if (config.databaseUrl !== undefined && this.options.database === undefined) {
      await waitForDatabase(db, { logger, signal: this.startup.signal, where: describeDatabaseUrl(config.databaseUrl) })
    }
    const applied = await migrate(db)
    if (applied.length > 0) logger.info({ applied }, 'database migrated')

    const dataKey = this.dataKey()
    const secrets = CredentialSecrets.fromKey(dataKey)
    const presentedKey = (kind: CredentialKind, value: string): string => secrets.presentedKey(kind, value)
    const sealedPins = await sealLegacyPins(db, secrets)
    if (sealedPins > 0) logger.info({ sealedPins }, 'PINs stored as plain SHA-256 hashes are now kept under the data key')
    const rekeyed = await rekeyLegacyAlerts(db, presentedKey, { logger })
    if (rekeyed > 0) logger.info({ rekeyed }, 'alerts keyed by a card number are now keyed by its digest, and name nothing of another building')
    const webhookSecrets = webhookSecretSealer(dataKey)
    const sealedHooks = await sealLegacyWebhookSecrets(db, webhookSecrets)
    if (sealedHooks > 0) logger.info({ sealedHooks }, 'webhook secrets stored in clear are now kept under the data key')
    const registryClock = this.options.registryClock
    const registry = new Registry({
      db, vault: IdVault.fromKey(dataKey), secrets, moveConfirmHours: config.moveConfirmHours,
      ...(registryClock === undefined ? {} : { now: () => new Date(registryClock()) }),
    })
    registry.events.onListenerError = (err) => logger.error({ err }, 'registry listener failed')
    const demoSecrets = join(config.dataDir, DEMO_SECRETS_FILE)
    const seeded = config.demo ? await seedDemoSite(registry, logger, demoSecrets) : undefined
    // Detected, not assumed from DEMO: a registry seeded once keeps its demo accounts after DEMO=off.
    const demo = await detectDemoSite(db, demoSecrets, seeded)
    const listen = listenHost(config, demo !== undefined)
    this.listen = listen

    // Every command goes out through here, so the command log knows what became of each.
    const commands = new CommandLog(clock)
    const sender = {
      sendCommand: async (...args: Parameters<MqttBroker['publishCommand']>): Promise<void> => {
        await this.broker!.publishCommand(...args)
        commands.sent(args[1], args[2], args[3].requestId)
      },
      isConnected: (deviceId: string) => this.broker?.isConnected(deviceId) ?? false,
    }
    const credentialsListener = registry.events.subscribe({
      deviceCredentialsChanged: (deviceId, cause) => this.broker?.disconnectDevice(deviceId, cause),
    })
    await parts.start(steps('credentials-listener', undefined, credentialsListener))

    // Alerts: one per condition, delivered to webhooks from a durable outbox and to live consoles.
    // Webhooks reach public addresses only, never the platform's own ports (webhook-target.ts).
    const webhookTargets: WebhookTargetPolicy = { allowInsecureLocal: config.webhookAllowInsecureLocal, ownPorts: () => this.ownPorts() }
    if (config.webhookAllowInsecureLocal) logger.warn('WEBHOOK_ALLOW_INSECURE_LOCAL is on: webhooks may target loopback addresses over plain http (development only)')
    const dispatcher = new WebhookDispatcher({ db, secrets: webhookSecrets, targets: webhookTargets, logger: logger.child({ part: 'webhooks' }) })
    const alerts = new AlertService({ db, events: dispatcher, logger: logger.child({ part: 'alerts' }) })
    // Registry changes queue their deliveries with the ledger entry (registry-feed.ts); the commit wakes the dispatcher.
    const feedWake = registry.events.subscribe({ registryChanged: () => dispatcher.wake() })
    // Every reader that has served its building has its list, or an alert says why not.
    const readerAlerts = new ReaderUpdateAlerts({ registry, alerts, logger: logger.child({ part: 'allowlist' }), ...clock })
    const pusher = new AllowlistPusher({ registry, sender, outcomes: readerAlerts, logger: logger.child({ part: 'allowlist' }) })
    const live = new LiveStream({ changes$: alerts.changes$, limits: config.streams })
    const escalation = new AlertEscalation({ alerts, logger: logger.child({ part: 'alerts' }), ...(config.alertEscalation === undefined ? {} : { policy: config.alertEscalation }) })
    await parts.startAll([
      steps('alerts', undefined, () => alerts.close()),
      component('live-stream', live),
      component('webhook-dispatcher', dispatcher),
      steps('registry-feed-wake', undefined, feedWake),
      component('alert-escalation', escalation),
    ])

    // The event log: journal first (DATA_DIR/journal), the database a moment later. Opening it copies
    // into the database what a crash left only in the journal, so the pipeline's replay below sees it.
    const eventLog = await EventLog.open(db, {
      dir: join(config.dataDir, 'journal'),
      logger: logger.child({ part: 'event-log' }),
    })

    // The pipeline judges every logged event against an in-memory view of the registry.
    const view = new MemoryRegistryView(db)
    const refresher = new ViewRefresher({ view, events: registry.events, logger: logger.child({ part: 'pipeline' }) })
    const pipeline = new Pipeline({
      view,
      store: new SqlPipelineStore({ db, alerts, view }),
      presentedKey,
      logger: logger.child({ part: 'pipeline' }),
      params: config.rules,
      ...clock,
      ...this.options.pipeline,
    })
    const retention = new EventRetention({ db, logger: logger.child({ part: 'retention' }), retentionDays: config.eventRetentionDays })
    // Houses' scores, and the grades they propose for police to confirm (docs/policy.md).
    const areaPolicies = new AreaPolicies(registry.ctx)
    const scores = new HouseScores(registry.ctx, areaPolicies)
    const gradeProposals = new GradeProposals(registry.ctx, scores)
    const gradeJob = new GradeProposalJob(gradeProposals, { logger: logger.child({ part: 'policy' }) })
    // Permits lapse and are reminded of, vacant rooms proposed, monthly lists made (docs/policy.md).
    const policyLog = { logger: logger.child({ part: 'policy' }) }
    const permitJob = permitWatchJob(new PermitWatch(registry.ctx), policyLog)
    const vacancy = vacancyJob(new VacancyProposals(registry.ctx), policyLog)
    const reconciling = reconciliationJob(new Reconciliations(registry.ctx), policyLog)
    // The KPIs (docs/policy.md "KPIs"): a reader of the event log, and a daily snapshot.
    // The pipeline's presence is not among the evidence of unregistered occupants: it counts visitors with a
    // pass as well, and in the simulator it over-estimated by two people (docs/policy.md).
    const presence = pipeline.presence()
    // The patrols' headcounts are (a house's latest patrol in the last 30 days).
    const kpis = new Kpis(registry.ctx, { headcounts: patrolHeadcounts(db) }, {
      // Consistency looks as far back as a resident may go unseen before deregistration is suggested (30 days).
      params: { ...DEFAULT_KPI_PARAMS, consistencyDays: presence.notSeenDays },
      ...(this.options.clock === undefined ? {} : { now: this.options.clock }),
    })
    const kpiReader = new KpiReaderComponent({ db, logger: logger.child({ part: 'kpis' }), wakeOn: (wake) => eventLog.onIndexed(wake) })
    const kpiJob = new KpiSnapshotJob(kpis, { logger: logger.child({ part: 'kpis' }) })
    const erasure = new PersonalDataRetention({ db, logger: logger.child({ part: 'privacy' }), retentionDays: config.personalDataRetentionDays })
    // Accepted messages: events and status are logged durably (group commit) before the
    // device's PUBACK; duplicates stop there. Replies go to the allow-list pusher.
    const uplink = new UplinkRouter({ commands, pusher, eventLog, pipeline, accepted$: this.accepted$ })
    let pipelineUp = false
    // The log is open already but stops before the pipeline (its last appends still reach it), so it joins
    // the list after it; until then a failed start closes it here.
    let logHeld = false
    try {
      await parts.startAll([
        steps('registry-view', () => view.loadAll()),
        component('view-refresher', refresher),
        component('pipeline', pipeline),
        steps('event-log', () => { logHeld = true }, () => eventLog.close()),
        component('event-retention', retention),
        component('personal-data-retention', erasure),
        component('grade-proposals', gradeJob),
        component('permit-watch', permitJob),
        component('vacancy-proposals', vacancy),
        component('reconciliation-lists', reconciling),
        component('kpi-reader', kpiReader),
        component('kpi-snapshots', kpiJob),
        steps('uplink-router', () => { pipelineUp = true }, () => { pipelineUp = false; this.accepted$.complete() }),
      ])
    } catch (err) {
      if (!logHeld) await eventLog.close().catch((e: unknown) => logger.error({ err: e }, 'error while stopping'))
      throw err
    }

    // Device logins in memory, so a CONNECT needs no database round trip (floods, database outages).
    const logins = new DeviceLogins({ db, events: registry.events, logger: logger.child({ part: 'broker' }) })
    const broker = new MqttBroker({
      directory: logins,
      people: personDirectory(registry.users),
      sink: uplink,
      presence: presenceListeners(pusher, new DeviceConfigPusher({
        sender,
        settings: { heartbeatS: Math.min(3600, Math.max(5, config.rules.heartbeatS ?? DEFAULT_RULE_PARAMS.heartbeatS)), timezone: 'Asia/Shanghai' },
        logger: logger.child({ part: 'device-config' }),
        ...clock,
      })),
      logger: logger.child({ part: 'broker' }),
      host: listen.host,
      limits: config.mqttLimits,
      tcpPort: config.mqttPort,
      wsPort: config.mqttWsPort,
      ...(config.tls === undefined ? {} : {
        tls: { tlsPort: config.tls.mqttTlsPort, wssPort: config.tls.mqttWssPort, credentials: { cert: config.tls.cert, key: config.tls.key } },
      }),
      ...clock,
    })
    // Dispatch centres subscribed to their area's alert topic get every change live.
    const alertFeed = new MqttAlertPublisher({ changes$: alerts.changes$, broker, logger: logger.child({ part: 'alert-feed' }) })
    await parts.startAll([
      component('device-logins', logins),
      steps('broker', async () => { await broker.start(); this.broker = broker }, () => broker.stop()),
      component('alert-feed', alertFeed),
      component('allowlist-pusher', pusher),
      component('reader-update-alerts', readerAlerts),
    ])

    const app = await buildApp({
      registry,
      alerts,
      live,
      webhooks: new Webhooks({ db, secrets: webhookSecrets, targets: webhookTargets }),
      history: new EventHistory(db, () => eventLog.caughtUp(2_000)),
      devices: deviceConnectivity({ broker, commands, sender, eventLog, pipeline, live, publicHost: listen.publicHost }),
      presence: pipeline.presence(),
      policy: { scores, proposals: gradeProposals, patrols: new Patrols(registry.ctx, areaPolicies) },
      kpis,
      logger: logger.child({ part: 'api' }),
      server: config.http,
      health: () => judgeHealth({
        broker: this.broker !== undefined, registry: true, pipeline: pipelineUp,
        eventLog: eventLog.stats(), alerts: pipeline.stats(),
      }, config.health),
      liveness: () => judgeLiveness(loop.delayMs(), config.health),
    })
    this.app = app
    await parts.start(steps('api', () => app.listen({ host: listen.host, port: config.httpPort }).then(() => {}), () => app.close()))

    return {
      addresses: this.addresses(),
      listen,
      db,
      registry,
      broker,
      app,
      pusher,
      eventLog,
      view,
      alerts,
      pipeline,
      dispatcher,
      demo,
      accepted$: this.accepted$.asObservable(),
      components: () => parts.names(),
      stop: () => this.stop(),
    }
  }

  private addresses (): PlatformAddresses {
    const http = this.app?.server.address()
    const port = typeof http === 'object' && http !== null ? http.port : this.config.httpPort
    const host = (this.listen ?? listenHost(this.config, false)).publicHost
    const b = this.broker?.addresses()
    return {
      api: `http://${host}:${port}`,
      docs: `http://${host}:${port}/docs`,
      mqtt: `mqtt://${host}:${b?.tcp.port ?? this.config.mqttPort}`,
      mqttWs: b?.ws == null ? null : `ws://${host}:${b.ws.port}${b.ws.path}`,
      mqtts: b?.tls == null ? null : `mqtts://${host}:${b.tls.port}`,
      mqttWss: b?.wss == null ? null : `wss://${host}:${b.wss.port}${b.wss.path}`,
    }
  }

  /** Every port the platform listens on (configured, and what the system chose for port 0). */
  private ownPorts (): number[] {
    const c = this.config
    const ports = [c.httpPort, c.mqttPort, c.mqttWsPort, c.tls?.mqttTlsPort, c.tls?.mqttWssPort]
    const http = this.app?.server.address()
    if (typeof http === 'object' && http !== null) ports.push(http.port)
    const b = this.broker?.addresses()
    ports.push(b?.tcp.port, b?.ws?.port, b?.tls?.port, b?.wss?.port)
    return ports.filter((p): p is number => typeof p === 'number' && p > 0)
  }

  /** Stops what started, newest first (a start still under way gives up); safe to call twice. */
  async stop (): Promise<void> {
    this.startup.abort(new Error('the platform was stopped while it started'))
    // A step under way (a migration, loading the view) ends first: closing the database under it could leave
    // both waiting for ever. Bounded, so a step that never ends cannot keep the rest running.
    if (this.starting !== undefined) {
      let timer: NodeJS.Timeout | undefined
      const gaveUp = await Promise.race([
        this.starting.then(() => false),
        new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(true), STOP_WAITS_FOR_START_MS) }),
      ])
      clearTimeout(timer)
      if (gaveUp) this.logger.warn({ waitedMs: STOP_WAITS_FOR_START_MS }, 'stopping although a start step has not ended')
    }
    await this.parts.stop()
  }

  /** DATA_KEY, or the key kept in DATA_DIR/data.key (created with mode 0600 on first start). */
  private dataKey (): string {
    if (this.config.dataKey !== undefined) return this.config.dataKey
    const file = join(this.config.dataDir, 'data.key')
    if (existsSync(file)) return readFileSync(file, 'utf8').trim()
    const key = IdVault.generateKey()
    writeDurably(file, `${key}\n`)
    chmodSync(file, 0o600)
    this.logger.warn({ file }, 'created a new data key (it protects ID numbers, PINs and readers\' allow-list keys); back it up: without it they cannot be read')
    return key
  }
}

/** What the API reads of the devices: the broker's counters and endpoints, the command log, the totals. */
function deviceConnectivity (p: {
  broker: MqttBroker
  commands: CommandLog
  sender: { sendCommand: (...args: Parameters<MqttBroker['publishCommand']>) => Promise<void> }
  eventLog: EventLog
  pipeline: Pipeline
  live: LiveStream
  publicHost: string
}): DeviceConnectivity {
  const { broker, commands, sender, eventLog, pipeline, live, publicHost } = p
  return {
    counters: (id) => broker.stats.device(id),
    totals: () => ({ ...broker.stats.totals(), eventLog: eventLog.stats(), pipeline: pipeline.stats(), liveStreams: live.stats() }),
    isConnected: (id) => broker.isConnected(id),
    sendCommand: (b, d, name, payload) => sender.sendCommand(b, d, name, payload),
    commands: (id) => commands.recent(id),
    endpoints: () => {
      const a = broker.addresses()
      return {
        url: `mqtt://${publicHost}:${a.tcp.port}`,
        wsUrl: a.ws === null ? null : `ws://${publicHost}:${a.ws.port}${a.ws.path}`,
        tlsUrl: a.tls === null ? null : `mqtts://${publicHost}:${a.tls.port}`,
        wssUrl: a.wss === null ? null : `wss://${publicHost}:${a.wss.port}${a.wss.path}`,
      }
    },
  }
}
