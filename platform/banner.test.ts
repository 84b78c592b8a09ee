import { describe, expect, it } from 'vitest'
import { startBanner } from './banner.ts'
import { loadConfig } from './config.ts'
import type { PlatformAddresses } from './platform.ts'

const at: PlatformAddresses = {
  api: 'http://127.0.0.1:8080', docs: 'http://127.0.0.1:8080/docs', mqtt: 'mqtt://127.0.0.1:1884', mqttWs: null, mqtts: null, mqttWss: null,
}
const DEMO_BLOCK = ['Demo accounts still on the public password "demo-password": admin, grid-chen.']

describe('startBanner', () => {
  it('has no demo block when no demo account is open, whatever DEMO says', () => {
    const text = startBanner(loadConfig({ DEMO: 'on' }), '0.0.0.0', at, undefined)
    expect(text).toContain('API            http://127.0.0.1:8080')
    expect(text).not.toMatch(/demo|password|WARNING/i)
  })

  it('names the open demo accounts and says it listens on loopback only', () => {
    const text = startBanner(loadConfig({ DEMO: 'off' }), '127.0.0.1', at, DEMO_BLOCK)
    expect(text).toContain(DEMO_BLOCK[0])
    expect(text).toContain('Listening on 127.0.0.1 only')
    expect(text).not.toContain('WARNING')
  })

  it('warns when HOST serves other machines while demo accounts are open', () => {
    const text = startBanner(loadConfig({ HOST: '0.0.0.0' }), '0.0.0.0', at, DEMO_BLOCK)
    expect(text).toContain(DEMO_BLOCK[0])
    expect(text).toContain('WARNING: HOST=0.0.0.0 lets other machines log in with them')
  })
})
