import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { CONFIG_VARIABLES, ConfigError, listenHost, loadConfig } from './config.ts'

describe('loadConfig', () => {
  it('has working defaults', () => {
    const c = loadConfig({}, '/srv/app')
    expect(c).toMatchObject({ httpPort: 8080, mqttPort: 1884, mqttWsPort: 8083, dataDir: '/srv/app/data', demo: true, eventRetentionDays: 180 })
    expect([c.host, c.publicHost]).toEqual([undefined, undefined])
    expect(c).toMatchObject({ dataDirShared: false, streams: { perAccount: 10, perAddress: 100, total: 1000 }, http: { maxConnections: 5000, requestTimeoutMs: 30_000 } })
    expect(c.databaseUrl).toBeUndefined()
  })

  it('listens on loopback while demo accounts are open, whatever DEMO says, unless HOST says otherwise', () => {
    expect(listenHost(loadConfig({}), true)).toEqual({ host: '127.0.0.1', publicHost: '127.0.0.1' })
    expect(listenHost(loadConfig({ DEMO: 'off' }), true)).toEqual({ host: '127.0.0.1', publicHost: '127.0.0.1' })
    expect(listenHost(loadConfig({}), false)).toEqual({ host: '0.0.0.0', publicHost: 'localhost' })
    expect(listenHost(loadConfig({ HOST: '0.0.0.0' }), true)).toEqual({ host: '0.0.0.0', publicHost: 'localhost' })
    expect(listenHost(loadConfig({ HOST: ' ' }), true).host).toBe('127.0.0.1')
    expect(listenHost(loadConfig({ HOST: '10.0.0.2', PUBLIC_HOST: 'access.example.org' }), false)).toEqual({ host: '10.0.0.2', publicHost: 'access.example.org' })
  })

  it('reads the connection limits and DATA_DIR_SHARED, refusing values out of range by name', () => {
    const c = loadConfig({ STREAM_MAX_PER_ACCOUNT: '3', STREAM_MAX_PER_ADDRESS: '20', STREAM_MAX_TOTAL: '50', HTTP_MAX_CONNECTIONS: '900', HTTP_REQUEST_TIMEOUT_S: '5', DATA_DIR_SHARED: 'on' })
    expect(c).toMatchObject({ streams: { perAccount: 3, perAddress: 20, total: 50 }, http: { maxConnections: 900, requestTimeoutMs: 5000 }, dataDirShared: true })
    let err: unknown
    try { loadConfig({ STREAM_MAX_PER_ACCOUNT: '0', STREAM_MAX_TOTAL: 'lots', HTTP_REQUEST_TIMEOUT_S: '99999', DATA_DIR_SHARED: 'perhaps' }) } catch (e) { err = e }
    const problems = (err as ConfigError).problems.join('\n')
    for (const name of ['STREAM_MAX_PER_ACCOUNT', 'STREAM_MAX_TOTAL', 'HTTP_REQUEST_TIMEOUT_S', 'DATA_DIR_SHARED']) expect(problems).toContain(name)
  })

  it('reads TRUST_PROXY as addresses and CIDRs, off by default, and refuses anything else by name', () => {
    expect(loadConfig({}).http.trustProxy).toEqual([])
    expect(loadConfig({ TRUST_PROXY: 'off' }).http.trustProxy).toEqual([])
    expect(loadConfig({ TRUST_PROXY: ' 10.0.0.5, 192.168.1.0/24,fd00::/8,::1 ' }).http.trustProxy).toEqual(['10.0.0.5', '192.168.1.0/24', 'fd00::/8', '::1'])
    for (const bad of ['on', '*', 'true', '10.0.0.0/33', '10.0.0.1/8/8', 'proxy.local', '10.0.0.5,,10.0.0.6', '::1/129']) {
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY must be off or a comma-separated list/)
    }
  })

  it('reads ports, data dir, database and switches', () => {
    const c = loadConfig({ HTTP_PORT: '0', MQTT_PORT: '2883', MQTT_WS_PORT: 'off', DATA_DIR: '/tmp/x', DATABASE_URL: 'postgres://u@h/db', DEMO: 'off', HOST: '127.0.0.1' })
    expect(c).toMatchObject({ httpPort: 0, mqttPort: 2883, mqttWsPort: null, dataDir: '/tmp/x', databaseUrl: 'postgres://u@h/db', demo: false, host: '127.0.0.1' })
  })

  it('reports every problem at once, by variable name', () => {
    let err: unknown
    try {
      loadConfig({ HTTP_PORT: 'eighty', MQTT_PORT: '70000', DATA_KEY: 'short', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', DEMO: 'maybe', EVENT_RETENTION_DAYS: '0', PERSONAL_DATA_RETENTION_DAYS: 'forever' })
    } catch (e) { err = e }
    expect(err).toBeInstanceOf(ConfigError)
    const problems = (err as ConfigError).problems.join('\n')
    for (const name of ['HTTP_PORT', 'MQTT_PORT', 'DATA_KEY', 'DATABASE_URL', 'LOG_LEVEL', 'DEMO', 'EVENT_RETENTION_DAYS', 'PERSONAL_DATA_RETENTION_DAYS']) expect(problems).toContain(name)
  })

  it('refuses two services on one port', () => {
    expect(() => loadConfig({ HTTP_PORT: '9000', MQTT_PORT: '9000' })).toThrow(/HTTP_PORT and MQTT_PORT are both 9000/)
  })
})

describe('health bounds', () => {
  it('default to 30 s for alerts, 60 s for the event copy and 5 s for the event loop, and are read in seconds', () => {
    expect(loadConfig({}).health).toEqual({ alertDelayMaxS: 30, eventCopyDelayMaxS: 60, eventLoopDelayMaxS: 5 })
    expect(loadConfig({ HEALTH_ALERT_DELAY_MAX_S: '5', HEALTH_EVENT_COPY_DELAY_MAX_S: '120', HEALTH_EVENT_LOOP_DELAY_MAX_S: '2' }).health)
      .toEqual({ alertDelayMaxS: 5, eventCopyDelayMaxS: 120, eventLoopDelayMaxS: 2 })
  })

  it('refuses what is not a whole number of seconds, by name', () => {
    expect(() => loadConfig({ HEALTH_ALERT_DELAY_MAX_S: '0', HEALTH_EVENT_COPY_DELAY_MAX_S: '1m' })).toThrow(/HEALTH_ALERT_DELAY_MAX_S[\s\S]*HEALTH_EVENT_COPY_DELAY_MAX_S/)
  })
})

describe('rule parameters', () => {
  it('reads RULE_* variables and keeps defaults for the rest', () => {
    expect(loadConfig({}).rules).toEqual({})
    expect(loadConfig({ RULE_NOT_SEEN_DAYS: '45', RULE_DENIED_IN_A_ROW: '3' }).rules).toEqual({ notSeenDays: 45, deniedInARow: 3 })
  })

  it('refuses values that are not whole numbers of at least 1, by name', () => {
    expect(() => loadConfig({ RULE_VACANT_DAYS: '0', RULE_HEARTBEAT_S: 'soon' })).toThrow(/RULE_VACANT_DAYS[\s\S]*RULE_HEARTBEAT_S/)
  })
})

describe('MQTT connection limits', () => {
  it('reads MQTT_MAX_CONNECTIONS* and refuses values below 1, by name', () => {
    expect(loadConfig({}).mqttLimits).toEqual({ maxConnections: 20_000, maxPerAddress: 1_000, maxPerAccount: 10 })
    expect(loadConfig({ MQTT_MAX_CONNECTIONS: '500', MQTT_MAX_CONNECTIONS_PER_ACCOUNT: '3' }).mqttLimits).toEqual({ maxConnections: 500, maxPerAddress: 1_000, maxPerAccount: 3 })
    expect(() => loadConfig({ MQTT_MAX_CONNECTIONS_PER_ADDRESS: '0', MQTT_MAX_CONNECTIONS: 'many' })).toThrow(/MQTT_MAX_CONNECTIONS must[\s\S]*MQTT_MAX_CONNECTIONS_PER_ADDRESS must/)
  })
})

describe('docs/config.md', () => {
  const doc = readFileSync(new URL('../docs/config.md', import.meta.url), 'utf8')

  it('describes every variable the platform reads, and no other', () => {
    const documented = new Set([...doc.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]!))
    const mentioned = (name: string): boolean => documented.has(name) || doc.includes(`\`${name}\``)
    expect(Object.keys(CONFIG_VARIABLES).filter((name) => !mentioned(name))).toEqual([])
    expect([...documented].filter((name) => !(name in CONFIG_VARIABLES))).toEqual([])
  })
})
