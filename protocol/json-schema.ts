// The JSON Schema documents vendors read (protocol/schemas/json). Generated
// from the TypeBox schemas by scripts/gen-protocol-schemas.ts; a test keeps
// the committed files equal to this output.

import type { TSchema } from 'typebox'
import { AllSchemas } from './messages.ts'
import { SCHEMA_ID_PREFIX } from './schemas/common.ts'

export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema'
/** Directory of the generated files, relative to the repository root. */
export const JSON_SCHEMA_DIR = 'protocol/schemas/json'

/** File name for a message schema: `rh/v1/access-event` -> `access-event.schema.json`. */
export function jsonSchemaFileName (schema: TSchema): string {
  const id = String((schema as { $id?: unknown }).$id)
  if (!id.startsWith(SCHEMA_ID_PREFIX)) throw new Error(`schema without a protocol $id: ${id}`)
  return `${id.slice(SCHEMA_ID_PREFIX.length)}.schema.json`
}

/** File name -> file text (2-space JSON, trailing newline), in a stable order. */
export function renderJsonSchemas (): Map<string, string> {
  const files = new Map<string, string>()
  for (const schema of AllSchemas) {
    // Plain JSON copy (drops TypeBox's symbol keys), identification first.
    const { $id, title, description, ...rest } = JSON.parse(JSON.stringify(schema)) as Record<string, unknown>
    const doc = { $schema: JSON_SCHEMA_DIALECT, $id, title, description, ...rest }
    files.set(jsonSchemaFileName(schema), `${JSON.stringify(doc, null, 2)}\n`)
  }
  return files
}
