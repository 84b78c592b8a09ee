// The MQTT alert publisher on virtual time, with an in-memory broker port:
// coalescing of counter updates, transitions never held or reordered,
// failures counted and never thrown into changes$.

import { Subject, VirtualTimeScheduler } from 'rxjs'
import { describe, expect, it } from 'vitest'
import type { Severity } from '../pipeline/model.ts'
import type { Alert, AlertChange, AlertChangeKind } from './model.ts'
import { MqttAlertPublisher, type AlertTopicSink } from './mqtt-alert-publisher.ts'

const AREA = '/d1/s1/c1/g1/'

function alert (id: string, count: number, over: Partial<Alert> = {}): Alert {
  return {
    id, dedupKey: `k-${id}`, type: 'door_forced', severity: 'major', status: 'open', buildingId: 'b1', roomId: null, door: 'main',
    deviceId: 'dev-1', credentialId: null, residentId: null,
    jurisdiction: { district: 'd1', street: 's1', community: 'c1', grid: 'g1' }, areaPath: AREA, count, level: null,
    firstAt: '2026-03-01T10:00:00.000Z', lastAt: '2026-03-01T10:00:00.000Z', createdAt: '2026-03-01T10:00:00.000Z',
    updatedAt: '2026-03-01T10:00:00.000Z', evidence: [], explanation: 'x', reason: null, acknowledgedBy: null, acknowledgedAt: null,
    resolvedBy: null, resolvedAt: null, resolutionNote: null, autoResolved: false, stage: 'reported', assigneeId: null, assigneeName: null,
    assignedAt: null, closureReason: null, escalationLevel: 0, escalatedTo: null, escalatedAt: null, ...over,
  }
}

const change = (kind: AlertChangeKind, a: Alert): AlertChange => ({ kind, alert: a, scope: { landlordId: null, areaPath: a.areaPath } })

class MemoryBroker implements AlertTopicSink {
  readonly sent: Array<{ topic: string; kind: string; id: string; count: number; severity: Severity }> = []
  failing = false
  async publishAlert (topic: string, payload: Buffer): Promise<void> {
    if (this.failing) throw new Error('broker not running')
    const m = JSON.parse(payload.toString()) as { kind: string; alert: Alert }
    this.sent.push({ topic, kind: m.kind, id: m.alert.id, count: m.alert.count, severity: m.alert.severity })
  }

  /** `kind:id:count` of what was sent. */
  get log (): string[] { return this.sent.map((s) => `${s.kind}:${s.id}:${s.count}`) }
}

function setup (coalesceMs = 1000) {
  const scheduler = new VirtualTimeScheduler()
  const changes$ = new Subject<AlertChange>()
  const broker = new MemoryBroker()
  const publisher = new MqttAlertPublisher({ changes$, broker, coalesceMs, scheduler })
  publisher.start()
  /** Advances virtual time to `t` ms, running the timers due, then lets the publishes settle. */
  const at = async (t: number): Promise<void> => {
    scheduler.maxFrames = t
    scheduler.flush()
    scheduler.frame = t
    await new Promise((resolve) => setImmediate(resolve))
  }
  return { scheduler, changes$, broker, publisher, at }
}

describe('MqttAlertPublisher', () => {
  it('publishes each change on the topic of its area and building, as {kind, alert}', async () => {
    const { changes$, broker, at } = setup()
    changes$.next(change('opened', alert('a1', 1)))
    await at(0)
    expect(broker.sent).toEqual([{ topic: 'rh-alerts/v1/d1/s1/c1/g1/b1', kind: 'opened', id: 'a1', count: 1, severity: 'major' }])
  })

  it('sends the first update at once, then at most one per interval with the latest state', async () => {
    const { changes$, broker, publisher, at } = setup(1000)
    changes$.next(change('opened', alert('a1', 1)))
    for (let n = 2; n <= 5000; n++) changes$.next(change('updated', alert('a1', n)))
    await at(0)
    expect(broker.log).toEqual(['opened:a1:1', 'updated:a1:2'])
    await at(999)
    expect(broker.log).toHaveLength(2)
    await at(1000)
    expect(broker.log).toEqual(['opened:a1:1', 'updated:a1:2', 'updated:a1:5000'])
    changes$.next(change('updated', alert('a1', 5001)))
    await at(1500)
    expect(broker.log).toHaveLength(3) // a window opened at 1000
    await at(2000)
    expect(broker.log.at(-1)).toBe('updated:a1:5001')
    await at(3000)
    expect(publisher.openWindows).toBe(0) // a quiet window forgets the alert
    changes$.next(change('updated', alert('a1', 5002)))
    await at(3000)
    expect(broker.log.at(-1)).toBe('updated:a1:5002')
    expect(publisher.counters).toEqual({ published: 5, failed: 0, coalesced: 4997 })
  })

  it('never holds a transition, and drops the update it supersedes so nothing older follows it', async () => {
    const { changes$, broker, at } = setup(1000)
    changes$.next(change('opened', alert('a1', 1)))
    changes$.next(change('updated', alert('a1', 2)))
    changes$.next(change('updated', alert('a1', 3)))
    changes$.next(change('acknowledged', alert('a1', 3, { status: 'acknowledged' })))
    changes$.next(change('updated', alert('a1', 4, { status: 'acknowledged' })))
    changes$.next(change('updated', alert('a1', 5, { status: 'acknowledged' })))
    changes$.next(change('resolved', alert('a1', 5, { status: 'resolved' })))
    await at(0)
    expect(broker.log).toEqual(['opened:a1:1', 'updated:a1:2', 'acknowledged:a1:3', 'resolved:a1:5'])
    await at(5000)
    expect(broker.log).toHaveLength(4)
  })

  it('sends an update that raises the severity at once', async () => {
    const { changes$, broker, at } = setup(1000)
    changes$.next(change('updated', alert('a1', 2)))
    changes$.next(change('updated', alert('a1', 3)))
    changes$.next(change('updated', alert('a1', 4, { severity: 'critical' })))
    changes$.next(change('updated', alert('a1', 5, { severity: 'critical' })))
    await at(0)
    expect(broker.sent.map((s) => `${s.count}:${s.severity}`)).toEqual(['2:major', '4:critical'])
    await at(1000)
    expect(broker.sent.map((s) => `${s.count}:${s.severity}`)).toEqual(['2:major', '4:critical', '5:critical'])
  })

  it('coalesces each alert on its own', async () => {
    const { changes$, broker, at } = setup(1000)
    for (let n = 1; n <= 3; n++) {
      changes$.next(change('updated', alert('a1', n)))
      changes$.next(change('updated', alert('a2', n, { buildingId: 'b2' })))
    }
    await at(1000)
    expect(broker.sent.map((s) => `${s.topic.split('/').at(-1)}:${s.id}:${s.count}`)).toEqual(['b1:a1:1', 'b2:a2:1', 'b1:a1:3', 'b2:a2:3'])
  })

  it('counts failures (broker down, alert without a valid topic) and keeps going', async () => {
    const { changes$, broker, publisher, at } = setup()
    broker.failing = true
    changes$.next(change('opened', alert('a1', 1)))
    changes$.next(change('opened', alert('a2', 1, { areaPath: '/d1/s1/' })))
    await at(0)
    broker.failing = false
    changes$.next(change('opened', alert('a3', 1)))
    await at(0)
    expect(broker.log).toEqual(['opened:a3:1'])
    expect(publisher.counters).toMatchObject({ published: 1, failed: 2 })
  })

  it('publishes what it holds back when stopped, and nothing afterwards', async () => {
    const { changes$, broker, publisher, at } = setup()
    changes$.next(change('updated', alert('a1', 1)))
    changes$.next(change('updated', alert('a1', 2)))
    await at(0)
    await publisher.stop()
    expect(broker.log).toEqual(['updated:a1:1', 'updated:a1:2'])
    changes$.next(change('opened', alert('a2', 1)))
    await at(5000)
    expect(broker.log).toHaveLength(2)
    expect(publisher.openWindows).toBe(0)
  })
})
