// `npm start`: the whole system on embedded defaults (see docs/config.md).

import { ConfigError, loadConfig } from './config.ts'
import { createLogger } from './logger.ts'
import { Platform } from './platform.ts'

let config
try {
  config = loadConfig()
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message)
    process.exit(2)
  }
  throw err
}

const logger = createLogger(config.logLevel)
const platform = new Platform(config, logger)

try {
  const a = await platform.start()
  const lines = [
    'Rental-block access platform is up.',
    `  API            ${a.api}`,
    `  API docs       ${a.docs}`,
    `  MQTT (TCP)     ${a.mqtt}`,
    `  MQTT (WS)      ${a.mqttWs ?? 'off'}`,
    ...(a.mqtts === null ? [] : [`  MQTT (TLS)     ${a.mqtts}`]),
    ...(a.mqttWss === null ? [] : [`  MQTT (WSS)     ${a.mqttWss}`]),
    `  Data           ${config.databaseUrl === undefined ? `${config.dataDir} (embedded PGlite)` : 'PostgreSQL (DATABASE_URL)'}`,
  ]
  if (platform.demo !== undefined) lines.push('', ...platform.demo.describe())
  console.log(lines.join('\n'))
} catch (err) {
  logger.fatal({ err }, 'could not start')
  process.exit(1)
}

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'stopping')
    platform.stop().then(() => process.exit(0), (err: unknown) => {
      logger.error({ err }, 'stop failed')
      process.exit(1)
    })
  })
}
