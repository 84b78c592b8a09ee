import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { renderJsonSchemas } from './json-schema.ts'

const dir = fileURLToPath(new URL('./schemas/json/', import.meta.url))

describe('protocol/schemas/json', () => {
  const expected = renderJsonSchemas()

  it('holds exactly one file per message schema', () => {
    const onDisk = readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    expect(onDisk).toEqual([...expected.keys()].sort())
  })

  it.each([...expected.keys()])('%s matches the TypeBox source (run: npx tsx scripts/gen-protocol-schemas.ts)', (name) => {
    expect(readFileSync(join(dir, name), 'utf8')).toBe(expected.get(name))
  })
})
