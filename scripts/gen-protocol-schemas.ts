// Writes protocol/schemas/json/*.schema.json from the TypeBox schemas and
// removes stale files. Run: npx tsx scripts/gen-protocol-schemas.ts

import { mkdirSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { JSON_SCHEMA_DIR, renderJsonSchemas } from '../protocol/json-schema.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const dir = join(root, JSON_SCHEMA_DIR)
mkdirSync(dir, { recursive: true })

const files = renderJsonSchemas()
for (const name of readdirSync(dir)) {
  if (name.endsWith('.schema.json') && !files.has(name)) {
    unlinkSync(join(dir, name))
    console.log(`removed ${name}`)
  }
}
for (const [name, text] of files) {
  writeFileSync(join(dir, name), text)
  console.log(`wrote ${join(JSON_SCHEMA_DIR, name)}`)
}
