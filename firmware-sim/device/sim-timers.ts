// Jobs due at a time of the simulation clock. The clock may run faster than
// real time at a rate the device does not know, so nothing is scheduled in
// real time: the device looks at its clock on a short real-time tick and runs
// what has come due, oldest first.

interface Job {
  at: number
  seq: number
  run: (now: number) => void
}

export class SimTimers {
  private jobs: Job[] = []
  private counter = 0

  /** Runs `run` (with the time it runs at) once the clock reaches `at` (ms). Returns a cancel function. */
  at (at: number, run: (now: number) => void): () => void {
    const job: Job = { at, seq: this.counter++, run }
    this.jobs.push(job)
    return () => { this.jobs = this.jobs.filter((j) => j !== job) }
  }

  get pending (): number {
    return this.jobs.length
  }

  /** Runs every job due at `now`, in time order (then in the order scheduled); jobs may schedule more. */
  runDue (now: number): void {
    for (;;) {
      let next: Job | undefined
      for (const j of this.jobs) {
        if (j.at <= now && (next === undefined || j.at < next.at || (j.at === next.at && j.seq < next.seq))) next = j
      }
      if (next === undefined) return
      const due = next
      this.jobs = this.jobs.filter((j) => j !== due)
      due.run(now)
    }
  }

  clear (): void {
    this.jobs = []
  }
}
