// GET /buildings/{id}/score on both databases against a real platform: points
// follow what happens at the house (the agreement signed, a door forced at a
// reader on a real socket, the alert closed as a false alarm), the caller's
// scope is the building's, and no point names a person.

import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { connectDevice, type MqttDetails } from '../../test/support/mqtt-device.ts'
import { callApi, provisionReader, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { until } from '../../test/support/wait.ts'

describe.each(DATABASE_KINDS)('house score (%s)', (kind) => {
  let tp: TestPlatform
  let reader: MqttDetails
  let client: MqttClient
  const api = (who: string, method: string, url: string, body?: unknown) => callApi(tp, who, method, url, body)
  const causes = async (): Promise<string[]> => {
    const r = await api('landlord-li', 'GET', '/buildings/demo-b1/score')
    expect(r.status).toBe(200)
    return (r.body.points as Array<{ cause: string }>).map((p) => p.cause)
  }

  beforeAll(async () => {
    tp = await startTestPlatform(kind, { pipeline: { tickMs: 100, sweepMs: 200 } })
    reader = await provisionReader(tp, 'landlord-li', 'demo-b1')
    client = await connectDevice(reader)
  }, 120_000)

  afterAll(async () => {
    await client?.endAsync(true)
    await tp?.dispose()
  })

  it('an unsigned responsibility agreement counts on compliance until it is signed', async () => {
    expect((await api('landlord-li', 'PATCH', '/buildings/demo-b1', { responsibilitySignedAt: null })).status).toBe(200)
    const before = await api('landlord-li', 'GET', '/buildings/demo-b1/score')
    expect(before.body.points).toContainEqual({ dimension: 'compliance', cause: 'agreement_unsigned', points: 10, evidence: ['building'], since: before.body.asOf, expiresAt: null })
    expect(before.body.byDimension.compliance).toBeGreaterThanOrEqual(10)
    expect(before.body).toMatchObject({ buildingId: 'demo-b1', grade: 'normal', thresholds: { normal: 10, focus: 25, strict: 50 } })
    expect(before.body.score).toBeCloseTo((before.body.points as Array<{ points: number }>).reduce((n, p) => n + p.points, 0), 5)

    expect((await api('landlord-li', 'PATCH', '/buildings/demo-b1', { responsibilitySignedAt: new Date().toISOString() })).status).toBe(200)
    expect(await causes()).not.toContain('agreement_unsigned')
  })

  it('a forced door scores on hazards with the alert as evidence; closed as a false alarm it scores nothing', async () => {
    await client.publishAsync(`rh/v1/demo-b1/${reader.clientId}/event/door`, JSON.stringify({
      eventId: `${kind}-forced`, seq: 1, ts: new Date().toISOString(), door: 'main-gate', state: 'forced_open',
    }), { qos: 1 })
    let alert: { id: string } | undefined
    await until('the door_forced alert', async () => {
      const r = await api('police-zumiao', 'GET', '/alerts?type=door_forced&buildingId=demo-b1')
      alert = (r.body.items as Array<{ id: string }> | undefined)?.[0]
      return alert !== undefined
    }, 10_000)
    const score = await api('grid-chen', 'GET', '/buildings/demo-b1/score')
    expect(score.status).toBe(200)
    const forced = (score.body.points as Array<{ cause: string; evidence: string[]; points: number; dimension: string }>).find((p) => p.cause === 'door_forced')
    expect(forced).toMatchObject({ dimension: 'hazards', evidence: [alert!.id] })
    expect(forced!.points).toBeGreaterThan(5.9)

    const resolved = await api('police-zumiao', 'POST', `/alerts/${alert!.id}/resolve`, { closureReason: 'false_alarm', note: 'a resident leaning on the door' })
    expect(resolved.status).toBe(200)
    expect(await causes()).not.toContain('door_forced')
  })

  it('no exit reader: a house whose readers all read only people coming in scores it, until one reads going out', async () => {
    // demo-b1's readers read both ways; demo-b2 has no device at all.
    expect(await causes()).not.toContain('no_exit_reader')
    const b2 = async (): Promise<string[]> => ((await api('landlord-wang', 'GET', '/buildings/demo-b2/score')).body.points as Array<{ cause: string }>).map((p) => p.cause)
    expect(await b2()).toEqual(expect.arrayContaining(['no_door_camera', 'no_exit_reader']))
    const provision = (body: object) => api('landlord-wang', 'POST', '/buildings/demo-b2/devices', { vendor: 'Acme Access', model: 'AR-200', ...body })
    expect((await provision({ door: 'gate', kind: 'camera', faces: 'in' })).status).toBe(400)
    const entry = await provision({ door: 'gate', kind: 'reader', faces: 'in' })
    expect(entry.status).toBe(201)
    expect(entry.body.device).toMatchObject({ kind: 'reader', faces: 'in' })
    expect(await b2()).toContain('no_exit_reader')
    const exit = await provision({ door: 'back', kind: 'reader', faces: 'out' })
    expect(exit.status).toBe(201)
    expect(await b2()).not.toContain('no_exit_reader')
    // Switched off, it reads nothing.
    expect((await api('landlord-wang', 'PATCH', `/devices/${exit.body.device.id as string}`, { enabled: false })).status).toBe(200)
    expect(await b2()).toContain('no_exit_reader')
  })

  it('is the building\'s: another landlord gets 404, its vendor 403, the police of the area may read it, no point names a person', async () => {
    expect((await api('landlord-wang', 'GET', '/buildings/demo-b1/score')).status).toBe(404)
    expect((await api('landlord-li', 'GET', '/buildings/nowhere/score')).status).toBe(404)
    // The vendor of the building's devices sees the building, not how it is graded.
    expect((await api('vendor-acme', 'GET', '/buildings/demo-b1/score')).status).toBe(403)
    const r = await api('police-zumiao', 'GET', '/buildings/demo-b1/score')
    expect(r.status).toBe(200)
    const text = JSON.stringify(r.body)
    for (const name of ['Zhang Wei', 'Liu Yang', '04A1B2C3']) expect(text).not.toContain(name)
  })
})
