// A bounded flood of bad logins and malformed connections against a broker
// on this machine, for measuring how long an honest device then waits for its
// CONNACK (firmware-sim/load/connect-flood.ts). Run it as a second process so
// that the flood's own work is not counted against the broker's event loop:
//
//   node --import tsx firmware-sim/connect-flood.ts --port 1884 --seconds 10
//
// The last line of output is the report as one JSON object.

import { parseArgs } from 'node:util'
import { flood } from './load/connect-flood.ts'

const { values: a } = parseArgs({
  options: {
    port: { type: 'string' },
    seconds: { type: 'string', default: '10' },
    sockets: { type: 'string', default: '200' },
    sources: { type: 'string', default: '50' },
    'max-connections': { type: 'string', default: '20000' },
  },
})
const port = Number(a.port)
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  process.stderr.write('usage: connect-flood.ts --port P [--seconds S] [--sockets N] [--sources K] [--max-connections C]\n')
  process.exit(2)
}
const f = flood({
  port, seconds: Number(a.seconds), sockets: Number(a.sockets), sourceAddresses: Number(a.sources), maxConnections: Number(a['max-connections']),
})
process.stdout.write('flooding\n')
process.once('SIGTERM', () => f.stop())
const report = await f.done
process.stdout.write(`${JSON.stringify(report)}\n`)
