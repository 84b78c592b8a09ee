// Ctrl-C for the simulator's commands: the first SIGINT or SIGTERM asks the run
// to stop (its devices stop, and what it created on a platform that lives on
// is removed); a second one exits at once.

export function stopOnSignals (log: (line: string) => void = (line) => console.error(line)): AbortSignal {
  const controller = new AbortController()
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (controller.signal.aborted) {
        log('stopping at once, without cleaning up')
        process.exit(130)
      }
      log('stopping: the devices go offline and what this run created is removed (Ctrl-C again to quit at once)')
      controller.abort()
    })
  }
  return controller.signal
}
