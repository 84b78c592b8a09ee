// The simulated camera against node-onvif 0.1.7: OnvifDevice init and its snapshot fetch (HTTP Digest), and
// WS-Discovery by unicast: node-onvif's own probe sent to the camera's port, and a hand-made Probe.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createRequire } from 'node:module'
import { createSocket } from 'node:dgram'
import { startSimulatedOnvifCamera, type SimulatedOnvifCamera } from './onvif-camera.ts'

interface OnvifDevice {
  init: () => Promise<{ Manufacturer: string, Model: string }>
  fetchSnapshot: () => Promise<{ headers: Record<string, string>, body: Buffer }>
  getCurrentProfile: () => { token: string, snapshot: string, video: { source: { token: string }, encoder: { resolution: { width: number } } } }
}
interface NodeOnvif {
  OnvifDevice: new (p: { xaddr: string, user: string, pass: string }) => OnvifDevice
  startProbe: () => Promise<Array<{ urn: string, name: string, xaddrs: string[], location: string }>>
  _PORT: number
  _MULTICAST_ADDRESS: string
  _DISCOVERY_WAIT: number
  _DISCOVERY_RETRY_MAX: number
}
const nodeOnvif = createRequire(import.meta.url)('node-onvif') as NodeOnvif

let camera: SimulatedOnvifCamera
beforeEach(async () => { camera = await startSimulatedOnvifCamera({ identity: { name: 'Gate camera', location: 'b1-main-gate' } }) })
afterEach(async () => { await camera.close() })

function probe (port: number, types: string): Promise<string | undefined> {
  const socket = createSocket('udp4')
  const message = '<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" ' +
    'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" ' +
    'xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><s:Header><a:MessageID>uuid:probe-1</a:MessageID>' +
    '<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action></s:Header>' +
    `<s:Body><d:Probe><d:Types>${types}</d:Types></d:Probe></s:Body></s:Envelope>`
  return new Promise((resolve) => {
    const timer = setTimeout(() => { socket.close(); resolve(undefined) }, 300)
    socket.on('message', (msg) => { clearTimeout(timer); socket.close(); resolve(msg.toString('utf8')) })
    socket.send(message, port, '127.0.0.1')
  })
}

describe('simulated ONVIF camera with node-onvif', () => {
  it('initialises an OnvifDevice, also with the camera clock off, and fetches the snapshot', async () => {
    camera.setClockSkewMs(45_000) // node-onvif reads the camera time first and signs with that offset
    const device = new nodeOnvif.OnvifDevice({ xaddr: camera.url, user: camera.username, pass: camera.password })
    const info = await device.init()
    expect(info).toMatchObject({ Manufacturer: 'RentalBlock Sim', Model: 'RB-CAM-1' })
    const profile = device.getCurrentProfile()
    expect(profile).toMatchObject({ token: 'profile-main', video: { source: { token: 'vsc-1' }, encoder: { resolution: { width: 1920 } } } })
    expect(profile.snapshot).toBe(`http://127.0.0.1:${camera.port}/onvif/snapshot?profile=profile-main`)
    const snap = await device.fetchSnapshot()
    expect(snap.headers['content-type']).toBe('image/jpeg')
    expect([...snap.body.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff])
    expect(camera.counters.authFailures).toBe(0)
  })

  it('refuses node-onvif with a wrong password after the unauthenticated capabilities', async () => {
    const device = new nodeOnvif.OnvifDevice({ xaddr: camera.url, user: camera.username, pass: 'wrong' })
    await expect(device.init()).rejects.toThrow(/Sender not Authorized/)
    expect(camera.counters.requests.GetCapabilities).toBe(1)
    expect(camera.counters.authFailuresByCause.digest).toBe(1)
  })

  it('is found by node-onvif probing its port by unicast', async () => {
    const discovery = Object.assign(Object.create(Object.getPrototypeOf(nodeOnvif) as object) as NodeOnvif, nodeOnvif, {
      _PORT: camera.discoveryPort!, _MULTICAST_ADDRESS: '127.0.0.1', _DISCOVERY_WAIT: 500, _DISCOVERY_RETRY_MAX: 1,
    })
    const found = await discovery.startProbe()
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject({ name: 'Gate camera', location: 'b1-main-gate', xaddrs: [camera.url] })
    expect(found[0]!.urn).toMatch(/^urn:uuid:/)
    // node-onvif asks for NetworkVideoTransmitter, Device and NetworkVideoDisplay: a camera is not a display.
    expect(camera.counters.probesAnswered).toBe(2)
    expect(camera.counters.probesIgnored).toBe(1)
  })

  it('answers a hand-made unicast Probe, ignores other types and garbage', async () => {
    const answer = await probe(camera.discoveryPort!, 'dn:NetworkVideoTransmitter')
    expect(answer).toContain('<a:RelatesTo>uuid:probe-1</a:RelatesTo>')
    expect(answer).toContain(`<d:XAddrs>${camera.url}</d:XAddrs>`)
    expect(await probe(camera.discoveryPort!, 'dn:NetworkVideoDisplay')).toBeUndefined()
    const socket = createSocket('udp4')
    await new Promise<void>((resolve) => socket.send('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', camera.discoveryPort!, '127.0.0.1', () => resolve()))
    socket.close()
    expect(await probe(camera.discoveryPort!, '')).toContain('ProbeMatches') // no Types: anyone answers
    expect(camera.counters.probesIgnored).toBe(2)
  })
})
