// The import-boundary rules of eslint.config.js fire: each fixture is source text linted as if it lived at
// the given path (no file is written), with the repository's own configuration.
import { fileURLToPath } from 'node:url'
import { ESLint } from 'eslint'
import { beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
let eslint: ESLint

beforeAll(() => {
  eslint = new ESLint({ cwd: root, overrideConfigFile: 'eslint.config.js' })
})

/** The boundary messages ESLint gives for `code` at `filePath`. */
async function crossings (filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  expect(result!.messages.filter((m) => m.fatal === true)).toEqual([])
  return result!.messages.filter((m) => m.ruleId === 'boundaries/imports').map((m) => m.message)
}

const importing = (specifier: string): string => `import { x } from '${specifier}'\n\nexport const y = x\n`

describe('import boundaries', () => {
  it('protocol/ imports no other part', async () => {
    expect(await crossings('protocol/fixture.ts', importing('../platform/config.ts')))
      .toEqual(['protocol/ stands alone: it imports no other part (imports platform/config.ts)'])
    expect(await crossings('protocol/schemas/fixture.ts', importing('../../test/support/wait.ts'))).toHaveLength(1)
    for (const part of ['firmware-sim', 'gateway', 'dashboards', 'contract']) {
      expect(await crossings('protocol/fixture.ts', importing(`../${part}/x.ts`))).toHaveLength(1)
    }
    expect(await crossings('protocol/fixture.ts', importing('./topics.ts'))).toEqual([])
  })

  it('contract/ uses no Node built-in and no part but protocol/', async () => {
    expect(await crossings('contract/fixture.ts', importing('node:fs')))
      .toEqual(['contract/ is for browsers too: no Node built-ins (imports node:fs)'])
    expect(await crossings('contract/fixture.ts', importing('path'))).toHaveLength(1)
    expect(await crossings('contract/fixture.ts', importing('../platform/registry/buildings.ts'))).toHaveLength(1)
    expect(await crossings('contract/fixture.ts', importing('../firmware-sim/sim.ts'))).toHaveLength(1)
    expect(await crossings('contract/fixture.ts', importing('../protocol/topics.ts'))).toEqual([])
    expect(await crossings('contract/fixture.ts', importing('typebox'))).toEqual([])
  })

  it('platform/ imports neither the simulator, the gateway, the dashboards nor test/', async () => {
    for (const part of ['firmware-sim', 'gateway', 'dashboards', 'test']) {
      expect(await crossings('platform/registry/fixture.ts', importing(`../../${part}/x.ts`))).toHaveLength(1)
    }
    expect(await crossings('platform/registry/fixture.ts', importing('../../protocol/topics.ts'))).toEqual([])
    expect(await crossings('platform/registry/fixture.ts', importing('../../contract/x.ts'))).toEqual([])
    // Tests may use the shared test helpers.
    expect(await crossings('platform/registry/fixture.test.ts', importing('../../test/support/wait.ts'))).toEqual([])
  })

  it('firmware-sim/ reaches the platform only through the starter', async () => {
    expect(await crossings('firmware-sim/load/fixture.ts', importing('../../platform/config.ts')))
      .toEqual(['firmware-sim/ reaches the platform only through platform/starter.ts (and protocol/, contract/) (imports platform/config.ts)'])
    expect(await crossings('firmware-sim/load/fixture.ts', importing('../../platform/starter.ts'))).toEqual([])
    expect(await crossings('firmware-sim/load/fixture.ts', importing('../../protocol/topics.ts'))).toEqual([])
    expect(await crossings('firmware-sim/fixture.ts', importing('../gateway/x.ts'))).toHaveLength(1)
  })

  it('gateway/ and dashboards/ import only protocol/ and contract/', async () => {
    for (const [from, to] of [['gateway', 'platform'], ['gateway', 'dashboards'], ['dashboards', 'gateway'], ['dashboards', 'firmware-sim']]) {
      expect(await crossings(`${from}/fixture.ts`, importing(`../${to}/x.ts`))).toHaveLength(1)
    }
    expect(await crossings('gateway/fixture.ts', importing('../protocol/topics.ts'))).toEqual([])
    expect(await crossings('dashboards/fixture.ts', importing('../contract/x.ts'))).toEqual([])
  })

  it('only tests import a *.test-kit.ts', async () => {
    expect(await crossings('platform/broker/fixture.ts', importing('./mqtt-bytes.test-kit.ts')))
      .toEqual(['only tests import a *.test-kit.ts (imports platform/broker/mqtt-bytes.test-kit.ts)'])
    expect(await crossings('platform/broker/fixture.test.ts', importing('./mqtt-bytes.test-kit.ts'))).toEqual([])
    expect(await crossings('platform/broker/fixture.test-kit.ts', importing('./mqtt-bytes.test-kit.ts'))).toEqual([])
    expect(await crossings('test/support/fixture.ts', importing('../../platform/broker/mqtt-bytes.test-kit.ts'))).toEqual([])
  })

  it('sees type imports, re-exports and import()', async () => {
    const from = 'protocol/fixture.ts'
    expect(await crossings(from, "import type { Config } from '../platform/config.ts'\n\nexport type C = Config\n")).toHaveLength(1)
    expect(await crossings(from, "export * from '../platform/config.ts'\n")).toHaveLength(1)
    expect(await crossings(from, "export { loadConfig } from '../platform/config.ts'\n")).toHaveLength(1)
    expect(await crossings(from, "export const c = await import('../platform/config.ts')\n")).toHaveLength(1)
  })

  it('keeps the simulator to the starter: no file of it reaches a platform module directly', async () => {
    expect(await crossings('firmware-sim/load/scale.ts', importing('../../platform/registry/registry.ts'))).toHaveLength(1)
    expect(await crossings('firmware-sim/load/scale.ts', importing('../../platform/starter.ts'))).toEqual([])
  })
})
