// `npm run build:console`: builds the consoles into dashboards/dist (npm start does it by itself when needed).
import { buildConsole, CONSOLE_DIST } from '../platform/console/console-build.ts'

const started = Date.now()
await buildConsole()
console.log(`consoles built into ${CONSOLE_DIST} in ${((Date.now() - started) / 1000).toFixed(1)} s`)
