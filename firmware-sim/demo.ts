// `npm run demo`: a living demo until Ctrl-C. Starts the platform in this
// process on embedded defaults with the demo site (API on HTTP_PORT, default
// 8080; MQTT on MQTT_PORT, default 1883; a fresh temporary DATA_DIR unless one
// is set), then drives the demo buildings at a calm real-time pace: readers
// and cameras online over MQTT, tenants coming and going, now and then a
// newcomer or a departure, an unknown card or a tailgater, so that the
// consoles and the API have something happening to show. With --api it drives
// the demo site of a platform already running (`npm start`). See
// firmware-sim/README.md.

import { parseArgs } from 'node:util'
import { DEMO_ACTIONS, type DemoAction } from './runner/demo-driver.ts'
import { startLivingDemo } from './runner/living-demo.ts'

const USAGE = `npm run demo -- [options]
  --every S      mean seconds between two happenings (default 20)
  --seed S       the random choices' seed (default: the time)
  --first LIST   what happens first, in order (${DEMO_ACTIONS.join(', ')})
  --api URL      drive the demo site of a platform already running (default: start one here)
  --mqtt URL     its broker, if devices must use another address than provisioning gives
  --username U --password P   an administrator of that platform (default admin / demo-password)
  --quiet        only the alerts, not every passage
Environment for the platform started here: HTTP_PORT (8080), MQTT_PORT (1883), MQTT_WS_PORT (off), DATA_DIR
(a temporary directory, removed at the end), LOG_LEVEL (warn).`

async function main (): Promise<void> {
  let values
  try {
    values = parseArgs({
      args: process.argv.slice(2),
      options: {
        every: { type: 'string' }, seed: { type: 'string' }, first: { type: 'string' }, api: { type: 'string' }, mqtt: { type: 'string' },
        username: { type: 'string' }, password: { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean' },
      },
      strict: true,
    }).values
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`)
    process.exit(2)
  }
  if (values.help === true) {
    console.log(USAGE)
    return
  }
  const everyS = Number(values.every ?? '20')
  const first = values.first?.split(',').map((s) => s.trim()).filter((s) => s !== '')
  if (!Number.isFinite(everyS) || everyS < 0.1 || (first ?? []).some((a) => !(DEMO_ACTIONS as readonly string[]).includes(a))) {
    console.error(USAGE)
    process.exit(2)
  }
  const env = process.env
  const stamp = (): string => new Date().toLocaleTimeString('en-GB', { hour12: false })
  const demo = await startLivingDemo({
    everyS,
    ...(values.api === undefined ? {} : { api: values.api }),
    ...(values.mqtt === undefined ? {} : { mqtt: values.mqtt }),
    ...(values.username === undefined ? {} : { username: values.username }),
    ...(values.password === undefined ? {} : { password: values.password }),
    ...(values.seed === undefined ? {} : { seed: values.seed }),
    ...(first === undefined ? {} : { first: first as DemoAction[] }),
    ...(env.DATA_DIR === undefined ? {} : { dataDir: env.DATA_DIR }),
    env: {
      HTTP_PORT: env.HTTP_PORT ?? '8080', MQTT_PORT: env.MQTT_PORT ?? '1883', MQTT_WS_PORT: env.MQTT_WS_PORT ?? 'off',
      LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
    },
    log: (line) => { if (values.quiet !== true || !/ (came in|went out) /.test(line)) console.log(`${stamp()} ${line}`) },
    onAlert: (a) => console.log(`${stamp()}   alert ${a.severity.padEnd(8)} ${a.type} at ${a.buildingId}: ${a.explanation}`),
  })
  if (demo.embedded !== undefined) {
    const { api, mqtt } = demo.embedded.platform.addresses
    console.log(`\nLiving demo: consoles at ${api}/ (API reference ${api}/docs), MQTT ${mqtt}`)
    for (const line of demo.banner) console.log(line)
  }
  console.log(`Alerts below are those police-zumiao sees arrive. Ctrl-C stops the demo${demo.embedded === undefined ? '' : ' and the platform'}.\n`)

  let stopping = false
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(130)
      stopping = true
      console.log(`${stamp()} stopping (Ctrl-C again to quit at once)`)
      demo.stop().then(() => process.exit(0), (err: unknown) => {
        console.error(err)
        process.exit(1)
      })
    })
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
