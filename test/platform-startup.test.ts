// The platform as its composition root starts it, over real HTTP: once up it
// answers GET /health with 200, and serves its OpenAPI document and the docs
// UI to anyone (no token: vendors and integrators read them before they have
// an account).

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, type TestPlatform } from './support/platform.ts'

describe('the started platform', () => {
  let tp: TestPlatform
  let base: string
  beforeAll(async () => {
    tp = await startTestPlatform('pglite')
    const address = tp.platform.app.server.address()
    if (address === null || typeof address === 'string') throw new Error('the API is not listening on a port')
    base = `http://127.0.0.1:${address.port}`
  }, 60_000)
  afterAll(async () => { await tp?.dispose() })

  it('answers GET /health with 200 and every part up', async () => {
    const r = await fetch(`${base}/health`)
    expect(r.status).toBe(200)
    expect(await r.json()).toEqual({
      status: 'ok', broker: true, registry: true, pipeline: true, reasons: [],
      figures: { eventsBehind: 0, eventCopyLagS: 0, uncommittedAlerts: 0, alertCommitLagS: 0 },
    })
  })

  it('serves the OpenAPI 3.1 document without a token', async () => {
    const r = await fetch(`${base}/docs/json`)
    expect(r.status).toBe(200)
    const doc = await r.json() as { openapi: string; info: { title: string }; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }
    expect(doc.openapi).toMatch(/^3\.1\./)
    expect(doc.info.title).toEqual(expect.any(String))
    const registrations = doc.paths['/rooms/{id}/registrations']
    expect(Object.keys(registrations ?? {}).sort()).toEqual(['get', 'post'])
    expect(Object.keys(registrations!.post!.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '404', '409']))
    expect(doc.paths).toHaveProperty(['/health', 'get'])
    expect(doc.paths).toHaveProperty(['/devices/{id}/open-door', 'post'])
    for (const step of ['confirm', 'dispute', 'decide', 'withdraw']) expect(doc.paths).toHaveProperty([`/moves/{id}/${step}`, 'post'])
    expect(doc.paths).toHaveProperty(['/moves', 'get'])
  })

  it('serves the docs UI without a token', async () => {
    const r = await fetch(`${base}/docs`)
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toMatch(/text\/html/)
  })
})
