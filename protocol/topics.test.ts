import { describe, expect, it } from 'vitest'
import {
  ALERT_TOPIC_LEVELS,
  alertSubscriptionFilter,
  alertTopic,
  alertTopicAreaPath,
  areaPathIds,
  COMMAND_NAMES,
  commandTopic,
  deviceSubscriptionFilters,
  deviceTopic,
  errorTopic,
  isValidId,
  MAX_TOPIC_LEVELS,
  parseAlertTopic,
  parseDeviceTopic,
  TOPIC_ROOT,
  UPLINK_CHANNELS,
  type DeviceChannel,
} from './topics.ts'

describe('topics', () => {
  it('builds and parses every channel', () => {
    const channels: DeviceChannel[] = [...UPLINK_CHANNELS, ...COMMAND_NAMES.map((n) => `command/${n}` as const), 'error']
    for (const channel of channels) {
      const topic = deviceTopic('bldg-01', 'reader_7', channel)
      expect(topic).toBe(`${TOPIC_ROOT}/bldg-01/reader_7/${channel}`)
      expect(topic.split('/').length).toBeLessThanOrEqual(MAX_TOPIC_LEVELS)
      expect(parseDeviceTopic(topic)).toEqual({ buildingId: 'bldg-01', deviceId: 'reader_7', channel })
    }
  })

  it('builds command, error and subscription topics', () => {
    expect(commandTopic('B1', 'D1', 'open-door')).toBe('rh/v1/B1/D1/command/open-door')
    expect(errorTopic('B1', 'D1')).toBe('rh/v1/B1/D1/error')
    expect(deviceSubscriptionFilters('B1', 'D1')).toEqual(['rh/v1/B1/D1/command/+', 'rh/v1/B1/D1/error'])
  })

  it('refuses to build topics from invalid ids', () => {
    expect(() => deviceTopic('a/b', 'd', 'status')).toThrow(RangeError)
    expect(() => deviceTopic('b', '+', 'status')).toThrow(RangeError)
    expect(() => commandTopic('b', '', 'config')).toThrow(RangeError)
    expect(() => deviceSubscriptionFilters('#', 'd')).toThrow(RangeError)
  })

  it.each([
    ['', 'empty'],
    ['rh', 'root only'],
    ['rh/v1', 'version only'],
    ['rh/v1/', 'trailing slash'],
    ['rh/v1/b/d', 'no channel'],
    ['rh/v1/b/d/', 'empty channel'],
    ['rh/v2/b/d/status', 'wrong version'],
    ['xx/v1/b/d/status', 'wrong root'],
    ['/rh/v1/b/d/status', 'leading slash'],
    ['RH/v1/b/d/status', 'root case'],
    ['rh/v1/b/d/status/extra', 'extra level'],
    ['rh/v1/b/x/d/status', 'extra id level'],
    ['rh/v1/b//status', 'empty device'],
    ['rh/v1//d/status', 'empty building'],
    ['rh/v1/+/d/status', 'wildcard building'],
    ['rh/v1/b/+/status', 'wildcard device'],
    ['rh/v1/b/d/#', 'multi-level wildcard'],
    ['rh/v1/b/d/event/+', 'wildcard channel'],
    ['rh/v1/b/d/command/+', 'command wildcard'],
    ['rh/v1/b/d/event/unknown', 'unknown event'],
    ['rh/v1/b/d/command/reboot', 'unknown command'],
    ['rh/v1/b/d/Status', 'channel case'],
    ['rh/v1/-b/d/status', 'id starts with dash'],
    ['rh/v1/b/_d/status', 'id starts with underscore'],
    ['rh/v1/b/d.x/status', 'dot in id'],
    ['rh/v1/b/d x/status', 'space in id'],
    ['rh/v1/b/dé/status', 'non-ASCII id'],
    ['rh/v1/b/d\u0000/status', 'NUL in id'],
    [`rh/v1/b/${'d'.repeat(65)}/status`, 'id too long'],
    ['$SYS/broker/clients', '$SYS'],
    [`rh/v1/b/d/status${'/x'.repeat(10_000)}`, 'very long topic'],
  ])('rejects %j (%s)', (topic) => {
    expect(parseDeviceTopic(topic)).toBeNull()
  })

  it('accepts ids of 1 and 64 characters', () => {
    const long = `A${'z'.repeat(63)}`
    expect(parseDeviceTopic(`rh/v1/${long}/${long}/command/allowlist-sync`)).toEqual({
      buildingId: long,
      deviceId: long,
      channel: 'command/allowlist-sync',
    })
    expect(parseDeviceTopic('rh/v1/0/9/heartbeat')?.channel).toBe('heartbeat')
  })

  it('validates ids', () => {
    expect(isValidId('bldg-01_A')).toBe(true)
    expect(isValidId('')).toBe(false)
    expect(isValidId('a'.repeat(64))).toBe(true)
    expect(isValidId('a'.repeat(65))).toBe(false)
    expect(isValidId('a\n')).toBe(false)
  })

  it('parses fast', () => {
    const topic = 'rh/v1/bldg-01/reader-01/event/access'
    const start = performance.now()
    for (let i = 0; i < 200_000; i++) parseDeviceTopic(topic)
    expect(performance.now() - start).toBeLessThan(1_000)
  })
})

describe('alert topics', () => {
  it('builds a topic from the area path of a grid and a building, and parses it back', () => {
    const topic = alertTopic('/chancheng/zumiao/lianhua/lianhua-g1/', 'demo-b1')
    expect(topic).toBe('rh-alerts/v1/chancheng/zumiao/lianhua/lianhua-g1/demo-b1')
    expect(topic.split('/')).toHaveLength(ALERT_TOPIC_LEVELS)
    const parsed = parseAlertTopic(topic)
    expect(parsed).toEqual({ areaIds: ['chancheng', 'zumiao', 'lianhua', 'lianhua-g1'], buildingId: 'demo-b1' })
    expect(alertTopicAreaPath(parsed!)).toBe('/chancheng/zumiao/lianhua/lianhua-g1/')
  })

  it('has a root of its own: no topic is in both trees', () => {
    const alert = alertTopic('/rh/v1/b/d/', 'status')
    expect(alert.split('/')[0]).not.toBe(TOPIC_ROOT.split('/')[0])
    expect(parseDeviceTopic(alert)).toBeNull()
    expect(parseAlertTopic(deviceTopic('b', 'd', 'status'))).toBeNull()
  })

  it.each([
    ['/d/s/c/', 'a community, not a grid'],
    ['/d/s/c/g', 'no trailing slash'],
    ['d/s/c/g/', 'no leading slash'],
    ['/d/s/c/g/x/', 'too deep'],
    ['/d//c/g/', 'an empty level'],
    ['/d/+/c/g/', 'a wildcard'],
    ['/d/#/c/g/', 'a wildcard'],
  ])('refuses to build from the area path %j (%s)', (path) => {
    expect(() => alertTopic(path, 'b1')).toThrow(RangeError)
  })

  it('refuses an invalid building id', () => {
    expect(() => alertTopic('/d/s/c/g/', 'b/1')).toThrow(RangeError)
    expect(() => alertTopic('/d/s/c/g/', '+')).toThrow(RangeError)
  })

  it('gives the widest filter of an area, and of the whole tree', () => {
    expect(alertSubscriptionFilter('/d1/s1/')).toBe('rh-alerts/v1/d1/s1/#')
    expect(alertSubscriptionFilter('/d1/s1/c1/g1/')).toBe('rh-alerts/v1/d1/s1/c1/g1/#')
    expect(alertSubscriptionFilter(null)).toBe('rh-alerts/v1/#')
    expect(() => alertSubscriptionFilter('/d1/#/')).toThrow(RangeError)
  })

  it('reads the area ids of a path of 1 to 4 levels', () => {
    expect(areaPathIds('/d1/')).toEqual(['d1'])
    expect(areaPathIds('/d1/s1/c1/g1/')).toEqual(['d1', 's1', 'c1', 'g1'])
    expect(areaPathIds('/')).toBeNull()
    expect(areaPathIds('/d1/s1/c1/g1/x/')).toBeNull()
  })

  it.each([
    'rh-alerts/v1/d/s/c/g',
    'rh-alerts/v1/d/s/c/g/b/x',
    'rh-alerts/v2/d/s/c/g/b',
    'rh-alerts/v1/d/s/+/g/b',
    'rh-alerts/v1/d/s/c/g/#',
    'rh-alerts/v1/d/s//g/b',
    'rh/v1/d/s/c/g/b',
  ])('does not parse %j as an alert topic', (topic) => {
    expect(parseAlertTopic(topic)).toBeNull()
  })
})
