// A one-line progress display on stderr: redrawn in place on a terminal,
// one line every few seconds otherwise (logs, CI), silent when quiet.

export function bar (fraction: number, width = 24): string {
  const f = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0))
  const full = Math.round(f * width)
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}]`
}

export function thousands (n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

export class Progress {
  private lastLine = 0
  private drawn = false

  constructor (private readonly quiet = false, private readonly out: NodeJS.WriteStream = process.stderr) {}

  update (label: string, fraction: number, detail: string): void {
    if (this.quiet) return
    const line = `${label.padEnd(12)} ${bar(fraction)} ${detail}`
    if (this.out.isTTY) {
      this.out.write(`\r${line.slice(0, (this.out.columns ?? 120) - 1).padEnd((this.out.columns ?? 120) - 1)}`)
      this.drawn = true
    } else if (Date.now() - this.lastLine >= 5000 || fraction >= 1) {
      this.out.write(`${line}\n`)
      this.lastLine = Date.now()
    }
  }

  /** Ends the current line. */
  done (): void {
    if (this.drawn) this.out.write('\n')
    this.drawn = false
    this.lastLine = 0
  }

  log (message: string): void {
    if (this.quiet) return
    this.done()
    this.out.write(`${message}\n`)
  }
}
