// `npm run sim:score -- --days D --seed S`: starts the platform on embedded
// defaults (unless --api gives one), runs the scripted scenario with every
// kind of anomaly, and prints per rule the precision, recall and detection
// latency of the platform's alerts against the ground truth, after the KPIs
// it measured beside the world's truth (error in percentage points, a line
// `kpis {...}`). The last line is one JSON object keyed by rule. See
// firmware-sim/README.md and docs/policy.md ("Against the simulator's ground truth").

import { parseOrExit } from './runner/cli-options.ts'
import { localStamp, progressPrinter, summary, writeOutputs } from './runner/progress.ts'
import { runScenario, RunStopped } from './runner/run-scenario.ts'
import { stopOnSignals } from './runner/signals.ts'
import { kpiTable } from './score/kpi-truth.ts'
import { details, table } from './score/report.ts'

async function main (): Promise<void> {
  const cli = parseOrExit('sim:score', process.argv.slice(2), { days: 3, remoteDays: 1 / 24 })
  const log = (line: string): void => console.error(line)
  const { run } = cli
  console.error(`scored scenario: seed ${run.seed}, ${run.days} days at ${run.speed}x, ${run.buildings} buildings of ${run.rooms} rooms`)
  const outcome = await runScenario({
    ...run, log, progressMs: 5000, signal: stopOnSignals(log),
    ...(cli.quiet ? {} : { progress: progressPrinter(log) }),
  })
  writeOutputs(outcome, cli)
  for (const line of summary(outcome)) console.log(line)
  const problems = details(outcome.match, localStamp)
  if (problems.length > 0) console.log(problems.slice(0, 40).join('\n'))
  console.log(kpiTable(outcome.kpis))
  console.log(`kpis ${JSON.stringify(Object.fromEntries(outcome.kpis.map((k) => [k.kpi, k.errorPp])))}`)
  console.log(table(outcome.scores))
  console.log(JSON.stringify(outcome.scores))
}

main().then(() => process.exit(0), (err: unknown) => {
  if (err instanceof RunStopped) process.exit(130)
  console.error(err)
  process.exit(1)
})
