// CPU time and memory of a process: this one (process.cpuUsage and
// memoryUsage) or another one on this machine by pid (Linux /proc), so the
// load mode and the benchmark can report what the system under test used.

import { readFileSync } from 'node:fs'

export interface ProcessSample {
  /** User + system CPU time since the process started, ms. */
  cpuMs: number
  rssBytes: number
  /** V8 heap in use (this process only). */
  heapBytes?: number
}

/** Clock ticks per second of /proc/<pid>/stat; 100 on every Linux this runs on. */
const CLK_TCK = 100

export function selfSample (): ProcessSample {
  const cpu = process.cpuUsage()
  const mem = process.memoryUsage()
  return { cpuMs: (cpu.user + cpu.system) / 1000, rssBytes: mem.rss, heapBytes: mem.heapUsed }
}

/** Another process; undefined once it is gone (or not on Linux). */
export function pidSample (pid: number): ProcessSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may hold spaces, in parentheses): state is field 3.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(f[11]) + Number(f[12]) // utime, stime (fields 14 and 15)
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
    return { cpuMs: (ticks * 1000) / CLK_TCK, rssBytes: rssKb * 1024 }
  } catch {
    return undefined
  }
}

/** CPU use between two samples, in % of one core. */
export function cpuPercent (before: ProcessSample | undefined, after: ProcessSample | undefined, elapsedMs: number): number | undefined {
  if (before === undefined || after === undefined || elapsedMs <= 0) return undefined
  return Math.round(((after.cpuMs - before.cpuMs) / elapsedMs) * 1000) / 10
}
