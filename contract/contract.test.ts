// The contract is for browsers too: nothing it reaches, directly or through
// protocol/, may import a node: module, a platform/ file or a package other
// than typebox. And its small checks agree with the platform's.

import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { validateIdNumber } from '../platform/privacy/national-id.ts'
import { gb11643CheckChar } from './national-id.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|(?:^|\n)\s*import\s+'([^']+)'/g

/** Every file the contract's modules reach, with what each imports from outside the tree. */
function reach (): { files: Set<string>; outside: string[] } {
  const dir = join(root, 'contract')
  const queue = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => join(dir, f))
  const files = new Set<string>()
  const outside: string[] = []
  while (queue.length > 0) {
    const file = queue.pop()!
    if (files.has(file)) continue
    files.add(file)
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = m[1] ?? m[2]!
      if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec))
      else outside.push(`${relative(root, file)}: ${spec}`)
    }
  }
  return { files, outside }
}

describe('contract/', () => {
  it('reaches no node: module, no platform/ file and no package but typebox', () => {
    const { files, outside } = reach()
    expect(outside.filter((o) => !o.endsWith(': typebox'))).toEqual([])
    const into = [...files].map((f) => relative(root, f)).filter((f) => !f.startsWith('contract/') && !f.startsWith('protocol/'))
    expect(into).toEqual([])
  })

  it('computes the GB 11643 check character the platform checks with', () => {
    expect(gb11643CheckChar('11010519491231002')).toBe('X')
    expect(validateIdNumber('resident_id', '11010519491231002X')).toMatchObject({ ok: true })
  })
})
