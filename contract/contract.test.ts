// The contract is for browsers too: nothing it reaches, directly or through
// protocol/, may import a node: module, a platform/ file or a package other
// than typebox. Its small checks are tested here against values worked out by
// hand, not against the platform (which imports them).

import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
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

  it('computes the GB 11643 check character of known numbers', () => {
    // GB 11643-1999: sum the first 17 digits weighted 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, take it modulo 11,
    // and map 0..10 to 1 0 X 9 8 7 6 5 4 3 2. The first is the standard's published example
    // (11010519491231002X, sum 167, 167 mod 11 = 2 -> X), the second the other sample often cited
    // (440524188001010014, sum 195, mod 8 -> 4); the rest vary the last digits of 110101 19900307 00d
    // to reach the other remainders (sum = 152 + 2d for d = 0..9 here, 154 mod 11 = 0 -> 1, 166 -> 1 -> 0, ...).
    const known: Array<[string, string]> = [
      ['11010519491231002', 'X'],
      ['44052418800101001', '4'],
      ['11010119900307001', '1'], // 154, mod 0
      ['11010119900307007', '0'], // 166, mod 1
      ['11010119900307002', 'X'], // 156, mod 2
      ['11010119900307008', '9'], // 168, mod 3
      ['11010119900307003', '8'], // 158, mod 4
      ['11010119900307009', '7'], // 170, mod 5
      ['11010119900307004', '6'], // 160, mod 6
      ['11010119900307018', '5'], // 152 + 1 * 4 + 8 * 2 = 172, mod 7
      ['11010119900307005', '4'], // 162, mod 8
      ['11010119900307000', '3'], // 152, mod 9
      ['11010119900307006', '2'], // 164, mod 10
    ]
    for (const [first17, check] of known) expect(`${first17}: ${gb11643CheckChar(first17)}`).toBe(`${first17}: ${check}`)
  })
})
