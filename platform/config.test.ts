import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './config.ts'

describe('loadConfig', () => {
  it('has working defaults', () => {
    const c = loadConfig({}, '/srv/app')
    expect(c).toMatchObject({ host: '0.0.0.0', httpPort: 8080, mqttPort: 1884, mqttWsPort: 8083, dataDir: '/srv/app/data', demo: true, publicHost: 'localhost', eventRetentionDays: 180 })
    expect(c.databaseUrl).toBeUndefined()
  })

  it('reads ports, data dir, database and switches', () => {
    const c = loadConfig({ HTTP_PORT: '0', MQTT_PORT: '2883', MQTT_WS_PORT: 'off', DATA_DIR: '/tmp/x', DATABASE_URL: 'postgres://u@h/db', DEMO: 'off', HOST: '127.0.0.1' })
    expect(c).toMatchObject({ httpPort: 0, mqttPort: 2883, mqttWsPort: null, dataDir: '/tmp/x', databaseUrl: 'postgres://u@h/db', demo: false, publicHost: '127.0.0.1' })
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

describe('rule parameters', () => {
  it('reads RULE_* variables and keeps defaults for the rest', () => {
    expect(loadConfig({}).rules).toEqual({})
    expect(loadConfig({ RULE_NOT_SEEN_DAYS: '45', RULE_DENIED_IN_A_ROW: '3' }).rules).toEqual({ notSeenDays: 45, deniedInARow: 3 })
  })

  it('refuses values that are not whole numbers of at least 1, by name', () => {
    expect(() => loadConfig({ RULE_VACANT_DAYS: '0', RULE_HEARTBEAT_S: 'soon' })).toThrow(/RULE_VACANT_DAYS[\s\S]*RULE_HEARTBEAT_S/)
  })
})
