// The simulation timers the simulated firmware runs on its clock.

import { describe, expect, it } from 'vitest'
import { SimTimers } from './sim-timers.ts'

describe('simulation timers', () => {
  it('runs what is due, in time order, with the time it runs at', () => {
    const t = new SimTimers()
    const ran: string[] = []
    t.at(20, (now) => ran.push(`b@${now}`))
    t.at(10, () => ran.push('a'))
    const cancel = t.at(15, () => ran.push('cancelled'))
    cancel()
    t.runDue(5)
    expect(ran).toEqual([])
    t.runDue(25)
    expect(ran).toEqual(['a', 'b@25'])
    expect(t.pending).toBe(0)
  })
})
