// `npm run sim -- …`: the simulated world against a platform, for a demo.
// Without --api it starts the platform in this process on embedded defaults
// with a simulation clock (a day a minute), provisions a site through the
// API, connects its readers and cameras over MQTT and lives the scenario,
// printing the sim time, what was done and each alert as it comes. It stops
// by itself after --days simulated days and prints how the alerts compare
// with what was injected. See firmware-sim/README.md.

import { parseOrExit } from './runner/cli-options.ts'
import { localStamp, progressPrinter, summary, writeOutputs } from './runner/progress.ts'
import { runScenario, RunStopped } from './runner/run-scenario.ts'
import { stopOnSignals } from './runner/signals.ts'
import { overall, table } from './score/report.ts'

async function main (): Promise<void> {
  const cli = parseOrExit('sim', process.argv.slice(2), { days: 1, remoteDays: 1 / 24 })
  const { run } = cli
  const realMinutes = run.days * 86_400 / run.speed / 60
  console.log(`simulated site: seed ${run.seed}, ${run.buildings} buildings of ${run.rooms} rooms, ${run.days} days at ${run.speed}x ` +
    `(about ${realMinutes < 2 ? `${Math.round(realMinutes * 60)} s` : `${Math.round(realMinutes)} min`} of real time)`)
  const outcome = await runScenario({
    ...run,
    signal: stopOnSignals(),
    log: (line) => console.log(line),
    progressMs: 2000,
    ...(cli.quiet
      ? {}
      : {
          progress: progressPrinter((line) => console.log(line)),
          onAlert: (a, at) => console.log(`  alert ${localStamp(at)} ${a.severity.padEnd(8)} ${a.type}: ${a.explanation}`),
        }),
  })
  writeOutputs(outcome, cli)
  for (const line of summary(outcome)) console.log(line)
  console.log(table(outcome.scores))
  const all = overall(outcome.scores)
  console.log(`alerts matching an injected anomaly: ${all.alerts - all.falsePositives} of ${all.alerts}; anomalies detected: ${all.detected} of ${all.expected}`)
}

main().then(() => process.exit(0), (err: unknown) => {
  if (err instanceof RunStopped) process.exit(130)
  console.error(err)
  process.exit(1)
})
