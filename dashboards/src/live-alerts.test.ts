// How the consoles keep their live alerts: a reload after a reconnect merged
// with the stream changes that arrived while it loaded, and which changes are
// news to sound for. The hook's stream and 401 handling are tested in the
// browser (test/consoles/dispatch-workflow.test.ts).

import { describe, expect, it } from 'vitest'
import type { Alert } from '../../contract/schemas/alerts.ts'
import { applyChange, isArrival, mergeResync } from './live-alerts.ts'

const T0 = Date.parse('2026-12-03T08:00:00Z')

function alert (id: string, minute: number, o: Partial<Alert> = {}): Alert {
  const at = new Date(T0 + minute * 60_000).toISOString()
  return {
    id, dedupKey: `unknown_credential:b1:${id}`, type: 'unknown_credential', severity: 'warning', status: 'open', buildingId: 'b1',
    roomId: null, door: 'main-gate', deviceId: 'd1', credentialId: null, residentId: null,
    jurisdiction: { district: 'd', street: 's', community: 'c', grid: 'g' }, areaPath: '/d/s/c/g/', count: 1, level: null,
    firstAt: at, lastAt: at, createdAt: at, updatedAt: at, evidence: [], explanation: 'x', reason: null, acknowledgedBy: null, acknowledgedAt: null,
    resolvedBy: null, resolvedAt: null, resolutionNote: null, autoResolved: false, stage: 'reported', assigneeId: null, assigneeName: null,
    assignedAt: null, closureReason: null, escalationLevel: 0, escalatedTo: null, escalatedAt: null, ...o,
  }
}

const byId = (...alerts: Alert[]): Map<string, Alert> => new Map(alerts.map((a) => [a.id, a]))

describe('mergeResync', () => {
  it('takes the list as loaded when nothing arrived meanwhile, dropping what the list no longer has', () => {
    const merged = mergeResync(byId(alert('a', 1), alert('b', 2)), [])
    expect([...merged.keys()]).toEqual(['a', 'b'])
  })

  it('keeps a later state that arrived during the reload over the list\'s older one', () => {
    const acknowledged = alert('a', 1, { status: 'acknowledged', updatedAt: new Date(T0 + 5 * 60_000).toISOString() })
    const merged = mergeResync(byId(alert('a', 1)), [acknowledged])
    expect(merged.get('a')).toEqual(acknowledged)
  })

  it('lets the list win over a stream change older than it', () => {
    const listed = alert('a', 1, { count: 4, updatedAt: new Date(T0 + 9 * 60_000).toISOString() })
    const merged = mergeResync(byId(listed), [alert('a', 1, { count: 2, updatedAt: new Date(T0 + 3 * 60_000).toISOString() })])
    expect(merged.get('a')?.count).toBe(4)
  })

  it('keeps an alert opened during the reload that the list did not have yet', () => {
    const merged = mergeResync(byId(alert('a', 1)), [alert('new', 6)])
    expect([...merged.keys()].sort()).toEqual(['a', 'new'])
  })

  it('keeps out an alert resolved during the reload that the list still had', () => {
    const resolved = alert('a', 1, { status: 'resolved', stage: 'archived', updatedAt: new Date(T0 + 7 * 60_000).toISOString() })
    expect(mergeResync(byId(alert('a', 1), alert('b', 2)), [resolved]).has('a')).toBe(false)
  })

  it('applies several changes of one alert in their order', () => {
    const later = alert('a', 1, { stage: 'dispatched', updatedAt: new Date(T0 + 4 * 60_000).toISOString() })
    const latest = alert('a', 1, { stage: 'feedback', updatedAt: new Date(T0 + 8 * 60_000).toISOString() })
    expect(mergeResync(byId(alert('a', 1)), [later, latest]).get('a')?.stage).toBe('feedback')
  })
})

describe('applyChange', () => {
  it('upserts, removes a resolved alert, and ignores a state older than the one held', () => {
    let live = applyChange(new Map(), alert('a', 1))
    live = applyChange(live, alert('a', 1, { count: 3, updatedAt: new Date(T0 + 2 * 60_000).toISOString() }))
    expect(live.get('a')?.count).toBe(3)
    live = applyChange(live, alert('a', 1, { count: 2 }))
    expect(live.get('a')?.count).toBe(3)
    live = applyChange(live, alert('a', 1, { status: 'resolved', updatedAt: new Date(T0 + 3 * 60_000).toISOString() }))
    expect(live.size).toBe(0)
  })
})

describe('isArrival', () => {
  it('sounds for an opened change once, and for no other kind', () => {
    const sounded = new Set<string>()
    expect(isArrival({ kind: 'updated', alert: alert('a', 1) }, sounded)).toBe(false)
    expect(isArrival({ kind: 'opened', alert: alert('a', 1) }, sounded)).toBe(true)
    expect(isArrival({ kind: 'opened', alert: alert('a', 1) }, sounded)).toBe(false)
    expect(isArrival({ kind: 'acknowledged', alert: alert('b', 1) }, sounded)).toBe(false)
  })
})
