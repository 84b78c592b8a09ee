// What the fuzzer starts from: well-formed MQTT 3.1.1 frames of every packet
// type a client could send (and some only a server should), for one device,
// and one valid payload per uplink channel. The mutators in mutate.ts damage
// copies of these.

import mqttPacket, { type Packet } from 'mqtt-packet'
import {
  deviceSubscriptionFilters, deviceTopic, LAST_WILL_PAYLOAD, UPLINK_CHANNELS, type UplinkChannel,
} from '../../protocol/index.ts'
import { sampleUplinks } from '../../protocol/samples.ts'

export interface DeviceLogin {
  deviceId: string
  buildingId: string
  password: string
}

const gen = (p: Packet): Buffer => mqttPacket.generate(p)

/** A CONNECT that the platform accepts for this device (its will included). */
export function validConnect (d: DeviceLogin, keepalive = 30): Buffer {
  return gen({
    cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive, clientId: d.deviceId,
    username: d.deviceId, password: Buffer.from(d.password),
    will: { topic: deviceTopic(d.buildingId, d.deviceId, 'status'), payload: Buffer.from(LAST_WILL_PAYLOAD), qos: 1, retain: true },
  })
}

/** One valid payload per uplink channel. */
export function validPayloads (): Record<UplinkChannel, Record<string, unknown>> {
  return sampleUplinks() as unknown as Record<UplinkChannel, Record<string, unknown>>
}

/** Well-formed frames of every kind, addressed to the device's own tree and to places it may not go. */
export function validFrames (d: DeviceLogin): Buffer[] {
  const own = (c: UplinkChannel): string => deviceTopic(d.buildingId, d.deviceId, c)
  const payloads = validPayloads()
  const access = Buffer.from(JSON.stringify(payloads['event/access']))
  const [commands, errors] = deviceSubscriptionFilters(d.buildingId, d.deviceId)
  const frames: Packet[] = [
    { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: false, keepalive: 0, clientId: d.deviceId, username: d.deviceId, password: Buffer.from('wrong') },
    { cmd: 'connect', protocolId: 'MQIsdp', protocolVersion: 3, clean: true, keepalive: 65535, clientId: 'x' },
    { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 10, clientId: '' },
    ...UPLINK_CHANNELS.map((c): Packet => ({ cmd: 'publish', topic: own(c), payload: Buffer.from(JSON.stringify(payloads[c])), qos: 1, messageId: 7, retain: false, dup: false })),
    { cmd: 'publish', topic: own('event/access'), payload: access, qos: 0, retain: false, dup: false },
    { cmd: 'publish', topic: own('event/access'), payload: access, qos: 2, messageId: 9, retain: true, dup: true },
    { cmd: 'publish', topic: `rh/v1/${d.buildingId}/someone-else/event/access`, payload: access, qos: 1, messageId: 10, retain: false, dup: false },
    { cmd: 'publish', topic: '$SYS/broker/uptime', payload: Buffer.from('1'), qos: 0, retain: true, dup: false },
    { cmd: 'publish', topic: own('status'), payload: Buffer.from(LAST_WILL_PAYLOAD), qos: 1, messageId: 11, retain: true, dup: false },
    { cmd: 'subscribe', messageId: 12, subscriptions: [{ topic: commands, qos: 1 }, { topic: errors, qos: 0 }] },
    { cmd: 'subscribe', messageId: 13, subscriptions: [{ topic: '#', qos: 1 }, { topic: '$SYS/#', qos: 0 }, { topic: 'rh-alerts/v1/#', qos: 1 }] },
    { cmd: 'unsubscribe', messageId: 14, unsubscriptions: [commands, '#'] },
    { cmd: 'puback', messageId: 1 },
    { cmd: 'pubrec', messageId: 2 },
    { cmd: 'pubrel', messageId: 3 },
    { cmd: 'pubcomp', messageId: 4 },
    { cmd: 'pingreq' },
    { cmd: 'disconnect' },
    // Packets only a server sends.
    { cmd: 'connack', returnCode: 0, sessionPresent: false },
    { cmd: 'suback', messageId: 12, granted: [1, 0] },
    { cmd: 'unsuback', messageId: 14, granted: [] },
    { cmd: 'pingresp' },
  ]
  return [validConnect(d), ...frames.map(gen)]
}
