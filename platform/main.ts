// `npm start`: the whole system on embedded defaults (see docs/config.md).

import { startBanner } from './banner.ts'
import { ConfigError, loadConfig } from './config.ts'
import { ensureConsoleBuilt } from './console/console-build.ts'
import { listenErrorMessage, portVariables } from './listen-errors.ts'
import { createLogger } from './logger.ts'
import { Platform } from './platform.ts'

// Whatever this process creates (DATA_DIR and everything the embedded database writes) is its user's alone.
process.umask(0o077)

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

const logger = createLogger(config.logLevel, undefined, config.logFormat)
const platform = new Platform(config, logger)

// Before the start: a start that waits (for PostgreSQL) must still stop on Ctrl-C.
let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // A second signal while stopping: the operator does not want to wait.
    if (stopping) {
      logger.warn({ signal }, 'stopping at once, without waiting for the parts to stop')
      process.exit(1)
    }
    stopping = true
    logger.info({ signal }, 'stopping')
    platform.stop().then(() => process.exit(0), (err: unknown) => {
      logger.error({ err }, 'stop failed')
      process.exit(1)
    })
  })
}

// The consoles are built before the API starts serving them; a failed build leaves the API up and says so at `/`.
try {
  await ensureConsoleBuilt(undefined, (message) => logger.info(message))
} catch (err) {
  logger.error({ err }, 'could not build the consoles; the API runs without them (npm run build:console shows why)')
}

try {
  const running = await platform.start()
  console.log(startBanner(config, running.listen.host, running.addresses, running.demo?.describe()))
} catch (err) {
  // A DATA_DIR others can read is refused at start, like a bad setting.
  if (err instanceof ConfigError) {
    console.error(err.message)
    process.exit(2)
  }
  // A port already taken: name the variable to change, no stack.
  const taken = listenErrorMessage(err, portVariables(config))
  if (taken !== undefined && !stopping) {
    console.error(taken)
    process.exit(1)
  }
  // Stopped by a signal while starting: the signal's handler exits.
  if (!stopping) {
    logger.fatal({ err }, 'could not start')
    process.exit(1)
  }
}
