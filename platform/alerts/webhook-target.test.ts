import { describe, expect, it } from 'vitest'
import {
  parseWebhookTarget, pinnedLookup, PUBLIC_TARGETS_ONLY, refusedAddress, resolveWebhookTarget, TargetRefused, TargetUnresolved,
  type WebhookTargetPolicy,
} from './webhook-target.ts'

const DEV: WebhookTargetPolicy = { allowInsecureLocal: true, ownPorts: () => [8080, 1884] }

const refusal = (url: string, policy = PUBLIC_TARGETS_ONLY): string | undefined => {
  try {
    parseWebhookTarget(url, policy)
    return undefined
  } catch (err) {
    if (!(err instanceof TargetRefused)) throw err
    return err.reason
  }
}

describe('webhook targets as registered', () => {
  it.each([
    // Loopback, in the spellings the URL parser turns into 127.0.0.1 or ::1.
    'https://127.0.0.1/hook', 'https://2130706433/hook', 'https://0x7f.1/hook', 'https://0177.0.0.1/hook', 'https://127.1/hook',
    'https://127.255.255.254/', 'https://①②⑦.0.0.1/', 'https://[::1]/hook', 'https://localhost/hook', 'https://LOCALHOST./hook',
    'https://api.localhost/hook',
    // IPv4-mapped and other IPv6 forms with an IPv4 address inside.
    'https://[::ffff:127.0.0.1]/', 'https://[0:0:0:0:0:ffff:7f00:1]/', 'https://[::ffff:8.8.8.8]/', 'https://[::127.0.0.1]/',
    'https://[64:ff9b::a00:5]/', 'https://[2002:a00:5::]/',
    // Cloud metadata, private, CGNAT, this network, multicast, broadcast, documentation.
    'https://169.254.169.254/latest/meta-data/', 'https://10.0.0.5:5432/', 'https://172.16.1.1/', 'https://172.31.255.255/',
    'https://192.168.1.1/', 'https://100.64.0.1/', 'https://100.127.255.255/', 'https://0.0.0.0/', 'https://0/', 'https://0.1.2.3/',
    'https://224.0.0.1/', 'https://239.255.255.250/', 'https://255.255.255.255/', 'https://192.0.2.10/', 'https://198.18.0.1/',
    'https://[fc00::1]/', 'https://[fd12:3456::1]/', 'https://[fe80::1]/', 'https://[fec0::1]/', 'https://[ff02::1]/', 'https://[::]/',
    'https://[2001:db8::1]/', 'https://[100::1]/',
  ])('refuses %s', (url) => {
    expect(refusal(url)).toEqual(expect.any(String))
  })

  it('refuses http, other schemes, credentials in the URL and what is not a URL', () => {
    expect(refusal('http://hooks.example.org/alerts')).toBe('the URL must be https')
    expect(refusal('http://8.8.8.8/alerts')).toBe('the URL must be https')
    expect(refusal('ftp://8.8.8.8/x')).toBe('the URL must be https')
    expect(refusal('https://user:secret@hooks.example.org/')).toMatch(/credentials/)
    expect(refusal('not a url')).toBe('not a valid URL')
  })

  it('takes https to a public address or a name (resolved and checked separately)', () => {
    expect(refusal('https://8.8.8.8/hook')).toBeUndefined()
    expect(refusal('https://[2606:4700:4700::1111]:8443/hook')).toBeUndefined()
    expect(refusal('https://100.128.0.1/')).toBeUndefined()
    expect(refusal('https://172.32.0.1/')).toBeUndefined()
    const t = parseWebhookTarget('https://Hooks.Example.org./alerts?x=1', PUBLIC_TARGETS_ONLY)
    expect(t).toMatchObject({ host: 'hooks.example.org', port: 443, literal: false })
    expect(t.url.href).toBe('https://hooks.example.org./alerts?x=1')
  })

  it('with WEBHOOK_ALLOW_INSECURE_LOCAL takes loopback over http too, except the platform\'s own ports; nothing else opens', () => {
    expect(refusal('http://127.0.0.1:9000/hook', DEV)).toBeUndefined()
    expect(refusal('http://localhost:9000/hook', DEV)).toBeUndefined()
    expect(refusal('http://receiver.localhost:9000/hook', DEV)).toBeUndefined()
    expect(refusal('https://[::1]:9000/hook', DEV)).toBeUndefined()
    expect(refusal('http://127.0.0.1:8080/auth/login', DEV)).toBe('a port of the platform itself')
    expect(refusal('http://[::1]:1884/', DEV)).toBe('a port of the platform itself')
    expect(refusal('http://8.8.8.8/hook', DEV)).toBe('the URL must be https')
    expect(refusal('https://10.0.0.5/hook', DEV)).toBe('not a public address')
    expect(refusal('https://169.254.169.254/', DEV)).toBe('not a public address')
    expect(refusal('https://[::ffff:127.0.0.1]/', DEV)).toBe('not a public address')
  })

  it('checks addresses, not spellings', () => {
    expect(refusedAddress('8.8.8.8', 443, PUBLIC_TARGETS_ONLY)).toBeUndefined()
    expect(refusedAddress('127.0.0.1', 443, PUBLIC_TARGETS_ONLY)).toBe('a loopback address')
    expect(refusedAddress('0000:0000:0000:0000:0000:0000:0000:0001', 443, PUBLIC_TARGETS_ONLY)).toBe('a loopback address')
    expect(refusedAddress('hooks.example.org', 443, PUBLIC_TARGETS_ONLY)).toBe('not an IP address')
  })
})

describe('webhook targets at delivery', () => {
  const name = parseWebhookTarget('https://hooks.example.org/alerts', PUBLIC_TARGETS_ONLY)
  const answering = (...addresses: string[]): WebhookTargetPolicy => ({
    allowInsecureLocal: false,
    resolve: async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 as const : 4 as const })),
  })

  it('resolves a name and checks every address it has', async () => {
    await expect(resolveWebhookTarget(name, answering('93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'))).resolves.toHaveLength(2)
    // One inside address among public ones is enough to refuse: a connection could go there.
    await expect(resolveWebhookTarget(name, answering('93.184.215.14', '10.0.0.5'))).rejects.toBeInstanceOf(TargetRefused)
    await expect(resolveWebhookTarget(name, answering('::ffff:169.254.169.254'))).rejects.toBeInstanceOf(TargetRefused)
  })

  it('reports a name that does not resolve, or not in time', async () => {
    await expect(resolveWebhookTarget(name, { allowInsecureLocal: false, resolve: () => Promise.reject(new Error('ENOTFOUND')) }))
      .rejects.toBeInstanceOf(TargetUnresolved)
    await expect(resolveWebhookTarget(name, answering())).rejects.toBeInstanceOf(TargetUnresolved)
    await expect(resolveWebhookTarget(name, { allowInsecureLocal: false, resolveTimeoutMs: 50, resolve: () => new Promise(() => {}) }))
      .rejects.toBeInstanceOf(TargetUnresolved)
  })

  it('resolves with the system resolver by default (localhost from the hosts file)', async () => {
    const local = parseWebhookTarget('http://localhost:9000/', DEV)
    const addresses = await resolveWebhookTarget(local, DEV)
    expect(addresses.map((a) => a.address)).toContain('127.0.0.1')
    await expect(resolveWebhookTarget(local, { ...DEV, allowInsecureLocal: false })).rejects.toBeInstanceOf(TargetRefused)
  })

  it('hands the connection exactly the checked addresses', () => {
    const lookup = pinnedLookup([{ address: '93.184.215.14', family: 4 }, { address: '2606:2800::1', family: 6 }])
    const got: unknown[] = []
    lookup('rebinding.example', { all: true }, (err, address) => got.push([err, address]))
    lookup('rebinding.example', { family: 6 }, (err, address, family) => got.push([err, address, family]))
    lookup('rebinding.example', { family: 'IPv4' }, (err, address, family) => got.push([err, address, family]))
    expect(got).toEqual([
      [null, [{ address: '93.184.215.14', family: 4 }, { address: '2606:2800::1', family: 6 }]],
      [null, '2606:2800::1', 6],
      [null, '93.184.215.14', 4],
    ])
  })
})
