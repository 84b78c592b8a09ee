// The protocol spec and its JSON Schemas served by a running platform, with
// no token: the same text as protocol/README.md and the same documents as
// protocol/schemas/json.

import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { callApi, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts'

describe('GET /protocol', () => {
  let tp: TestPlatform

  beforeAll(async () => {
    tp = await startTestPlatform('pglite')
  }, 60_000)

  afterAll(async () => {
    await tp?.dispose()
  })

  it('serves the spec as Markdown without a token', async () => {
    const r = await tp.platform.app.inject({ method: 'GET', url: '/protocol' })
    expect(r.statusCode).toBe(200)
    expect(r.headers['content-type']).toMatch(/^text\/markdown/)
    expect(r.body).toBe(await readFile('protocol/README.md', 'utf8'))
  })

  it('lists the schemas and serves each one as committed in protocol/schemas/json', async () => {
    const index = await callApi(tp, null, 'GET', '/protocol/schemas')
    expect(index.status).toBe(200)
    expect(index.body).toMatchObject({ protocol: 'rh/v1', revision: 2, spec: '/protocol' })
    expect(index.body.schemas).toHaveLength(11)
    expect(index.body.schemas[0]).toEqual({ name: 'access-event', id: 'rh/v1/access-event', title: expect.any(String), url: '/protocol/schemas/access-event' })
    for (const s of index.body.schemas as Array<{ name: string; url: string }>) {
      const one = await callApi(tp, null, 'GET', s.url)
      expect(one.status, s.name).toBe(200)
      expect(one.body, s.name).toEqual(JSON.parse(await readFile(`protocol/schemas/json/${s.name}.schema.json`, 'utf8')))
    }
    expect((await callApi(tp, null, 'GET', '/protocol/schemas/heartbeat.schema.json')).body.$id).toBe('rh/v1/heartbeat')
  })

  it('answers 404 for an unknown schema, and documents the routes in OpenAPI', async () => {
    const missing = await callApi(tp, null, 'GET', '/protocol/schemas/nothing')
    expect(missing).toMatchObject({ status: 404, body: { code: 'RH_NOT_FOUND' } })
    const doc = await callApi(tp, null, 'GET', '/docs/json')
    for (const p of ['/protocol', '/protocol/schemas', '/protocol/schemas/{name}']) expect(doc.body.paths).toHaveProperty([p, 'get'])
  })
})
