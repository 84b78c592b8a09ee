// GET /protocol, /protocol/schemas, /protocol/schemas/{name}: the device
// protocol spec (protocol/README.md) and its JSON Schemas, for firmware
// engineers and the tools they point at a platform. Public documentation, so
// no token. The schemas are rendered from the same definitions the broker
// validates with (and a test keeps protocol/schemas/json equal to them).

import { readFileSync } from 'node:fs'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { PROTOCOL_REVISION, renderJsonSchemas, TOPIC_ROOT } from '../../../protocol/index.ts'
import { Errors } from '../../errors.ts'
import { ROUTES } from '../../../contract/routes/index.ts'

const SUFFIX = '.schema.json'

export const protocolRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Read once: the spec is part of the release, not data.
  const spec = readFileSync(new URL('../../../protocol/README.md', import.meta.url), 'utf8')
  const schemas = new Map<string, Record<string, unknown>>()
  for (const [file, text] of renderJsonSchemas()) schemas.set(file.slice(0, -SUFFIX.length), JSON.parse(text) as Record<string, unknown>)
  const index = {
    protocol: TOPIC_ROOT,
    revision: PROTOCOL_REVISION,
    spec: '/protocol',
    schemas: [...schemas].map(([name, s]) => ({ name, id: String(s.$id), title: String(s.title), url: `/protocol/schemas/${name}` })),
  }

  app.get('/protocol', {
    config: { public: true },
    schema: {
      tags: ['protocol'],
      summary: 'The device protocol spec (Markdown), for firmware engineers',
      security: [],
      ...ROUTES['GET /protocol'],
    },
  }, async (_req, reply) => reply.type('text/markdown; charset=utf-8').send(spec))

  app.get('/protocol/schemas', {
    config: { public: true },
    schema: { ...ROUTES['GET /protocol/schemas'], tags: ['protocol'], summary: 'The JSON Schemas of the device protocol\'s messages', security: [] },
  }, async () => index)

  app.get('/protocol/schemas/:name', {
    config: { public: true },
    schema: {
      tags: ['protocol'],
      summary: 'One message\'s JSON Schema (draft 2020-12), by name (`access-event`, or `access-event.schema.json`)',
      security: [],
      ...ROUTES['GET /protocol/schemas/:name'],
    },
  }, async (req) => {
    const name = req.params.name.endsWith(SUFFIX) ? req.params.name.slice(0, -SUFFIX.length) : req.params.name
    const schema = schemas.get(name)
    if (schema === undefined) throw new Errors.NotFound(`protocol schema ${JSON.stringify(name)} (GET /protocol/schemas lists them)`)
    return schema
  })
}
