// A child process for the kill -9 test: appends events to the journal in the
// directory given, prints each id once its append has resolved (the moment a
// gateway tells the device "received"), acknowledges every third, and runs
// until it is killed.

import { Journal } from './journal.ts'

const dir = process.argv[2]!
const journal = await Journal.open({ dir, segmentBytes: 16 * 1024 })
let n = 0
for (;;) {
  const batch = await Promise.all(Array.from({ length: 8 }, () => {
    n++
    return journal.append({ topic: `rh/v1/b1/d${n % 3}/event/access`, payload: JSON.stringify({ n, pad: 'x'.repeat(n % 200) }), alarm: n % 50 === 0 })
  }))
  for (const e of batch) {
    const sent = journal.takeNext()
    if (sent !== undefined && sent.id % 3 === 0) journal.acknowledge(sent)
    process.stdout.write(`${e.id} ${JSON.parse(e.payload).n}\n`)
  }
}
