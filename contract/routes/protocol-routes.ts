// Schemas of the routes that serve the device protocol's documentation (the
// spec and its JSON Schemas), keyed by `METHOD /path` (see registry-routes.ts).
// Public: no token.

import Type, { type Static } from 'typebox'
import { errors } from '../schemas/fields.ts'

export const ProtocolSchemaIndexSchema = Type.Object({
  protocol: Type.String({ description: 'the topic root, e.g. `rh/v1`' }),
  revision: Type.Integer({ description: 'the revision of the spec (protocol/README.md §2)' }),
  spec: Type.String({ description: 'where the spec is served' }),
  schemas: Type.Array(Type.Object({
    name: Type.String({ description: 'e.g. `access-event`' }),
    id: Type.String({ description: 'the schema\'s `$id`, e.g. `rh/v1/access-event`' }),
    title: Type.String(),
    url: Type.String({ description: 'where the schema is served' }),
  })),
})
export type ProtocolSchemaIndex = Static<typeof ProtocolSchemaIndexSchema>

export const JsonSchemaDocument = Type.Object({}, { additionalProperties: true, description: 'a JSON Schema (draft 2020-12)' })

export const protocolRoutes = {
  'GET /protocol': {
    response: { 200: { description: 'protocol/README.md', content: { 'text/markdown': { schema: Type.String() } } } },
  },
  'GET /protocol/schemas': { response: { 200: ProtocolSchemaIndexSchema } },
  'GET /protocol/schemas/:name': {
    params: Type.Object({ name: Type.String({ maxLength: 64 }) }),
    response: { 200: JsonSchemaDocument, ...errors(404) },
  },
} as const
