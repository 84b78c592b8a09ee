// The simulated camera against the real `onvif` npm client (Cam): device, media, snapshot, PullPoint events,
// WS-Security refusals (password, skewed clock, replay), expiry, early pull ends and a reboot.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import onvif from 'onvif'
import { startSimulatedOnvifCamera, type SimulatedOnvifCamera } from './onvif-camera.ts'
import { camCall, digestGet, postSoap, soapEnvelope } from './onvif-client.test-kit.ts'

type Cam = InstanceType<typeof onvif.Cam>
interface Notification { topic: { _: string }, message: { message: { $: Record<string, string>, source: unknown, data: unknown } } }

let camera: SimulatedOnvifCamera
const cams: Cam[] = []

beforeEach(async () => { camera = await startSimulatedOnvifCamera() })
afterEach(async () => {
  for (const c of cams.splice(0)) c.removeAllListeners()
  await camera.close()
})

function connect (password = camera.password): Promise<Cam> {
  return new Promise((resolve, reject) => {
    const cam: Cam = new onvif.Cam({ hostname: camera.host, port: camera.port, username: camera.username, password, timeout: 5000 },
      (err) => (err ? reject(err) : resolve(cam)))
    cams.push(cam)
  })
}

/** A notification's topic, Source and Data items as plain records. */
function read (n: Notification): { topic: string, op: string | undefined, source: Record<string, string>, data: Record<string, string> } {
  const items = (x: unknown): Record<string, string> => {
    const list = (x as { simpleItem?: unknown }).simpleItem
    const arr = (Array.isArray(list) ? list : [list]) as Array<{ $: { Name: string, Value: string } }>
    return Object.fromEntries(arr.map((i) => [i.$.Name, String(i.$.Value)]))
  }
  return { topic: n.topic._, op: n.message.message.$.PropertyOperation, source: items(n.message.message.source), data: items(n.message.message.data) }
}

async function pull (cam: Cam): Promise<ReturnType<typeof read>[]> {
  const res = await camCall<{ notificationMessage?: Notification | Notification[] }>(cam, 'pullMessages', { messageLimit: 20 })
  const list = res.notificationMessage === undefined ? [] : ([] as Notification[]).concat(res.notificationMessage)
  return list.map(read)
}

describe('simulated ONVIF camera with the onvif Cam client', () => {
  it('connects, reads device information, profiles and the snapshot URI, and serves a JPEG behind Digest', async () => {
    const cam = await connect()
    const info = await camCall<Record<string, string>>(cam, 'getDeviceInformation')
    expect(info.manufacturer).toBe('RentalBlock Sim')
    expect(cam.uri?.events?.href).toContain(`:${camera.port}/onvif/events_service`)
    const profiles = await camCall<Array<{ $: { token: string }, videoSourceConfiguration: { sourceToken: string } }>>(cam, 'getProfiles')
    expect(profiles.map((p) => p.$.token)).toEqual(['profile-main', 'profile-sub'])
    expect(profiles[0]!.videoSourceConfiguration.sourceToken).toBe('vs-1')
    const snap = await camCall<{ uri: string }>(cam, 'getSnapshotUri', { profileToken: 'profile-sub' })
    expect(snap.uri).toBe(`http://127.0.0.1:${camera.port}/onvif/snapshot?profile=profile-sub`)

    const jpeg = await digestGet(snap.uri, camera.username, camera.password)
    expect(jpeg.status).toBe(200)
    expect(jpeg.type).toBe('image/jpeg')
    expect([...jpeg.body.subarray(0, 2)]).toEqual([0xff, 0xd8])
    expect([...jpeg.body.subarray(-2)]).toEqual([0xff, 0xd9])
    expect((await digestGet(snap.uri, camera.username, 'wrong')).status).toBe(401)
    expect(camera.counters.snapshots).toBe(1)
    expect(camera.counters.snapshotAuthFailures).toBe(1)
  })

  it('refuses a wrong password with ter:NotAuthorized while unauthenticated calls still answer', async () => {
    const cam = await connect('not-the-password')
    await expect(camCall(cam, 'getDeviceInformation')).rejects.toThrow(/Sender not Authorized/)
    const raw = await postSoap(camera.url, soapEnvelope('<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/>',
      { username: camera.username, password: 'nope' }))
    expect(raw.status).toBe(400)
    expect(raw.text).toContain('<s:Value>ter:NotAuthorized</s:Value>')
    expect(camera.counters.authFailuresByCause.digest).toBeGreaterThanOrEqual(2)
    expect(camera.counters.requests.GetSystemDateAndTime).toBe(1)
  })

  it('refuses tokens created off the camera clock until the client takes the camera time again', async () => {
    const cam = await connect()
    camera.setClockSkewMs(-90_000) // the camera's clock falls 90 s behind
    await expect(camCall(cam, 'getDeviceInformation')).rejects.toThrow(/NotAuthorized|Sender not Authorized/)
    expect(camera.counters.authFailuresByCause.clock).toBe(1)
    // Cam keeps its first offset; clearing it and reading the camera's time again is the cure.
    cam.timeShift = undefined
    const cameraTime = await camCall<Date>(cam, 'getSystemDateAndTime')
    expect(Math.abs(cameraTime.getTime() - (Date.now() - 90_000))).toBeLessThan(2000)
    await expect(camCall(cam, 'getDeviceInformation')).resolves.toMatchObject({ model: 'RB-CAM-1' })
    // A client that sends Created in camera time directly is accepted, one 6 s off is not.
    const body = '<GetScopes xmlns="http://www.onvif.org/ver10/device/wsdl"/>'
    const token = { username: camera.username, password: camera.password }
    expect((await postSoap(camera.url, soapEnvelope(body, { ...token, createdMs: camera.now() }))).status).toBe(200)
    expect((await postSoap(camera.url, soapEnvelope(body, { ...token, createdMs: camera.now() + 6000 }))).status).toBe(400)
    expect((await postSoap(camera.url, soapEnvelope(body, { ...token, createdMs: Date.now() }))).status).toBe(400)
  })

  it('refuses a nonce used twice within the window', async () => {
    const body = '<GetScopes xmlns="http://www.onvif.org/ver10/device/wsdl"/>'
    const token = { username: camera.username, password: camera.password, nonce: Buffer.from('0123456789abcdef') }
    expect((await postSoap(camera.url, soapEnvelope(body, token))).status).toBe(200)
    const again = await postSoap(camera.url, soapEnvelope(body, token))
    expect(again.status).toBe(400)
    expect(again.text).toContain('ter:NotAuthorized')
    expect(camera.counters.authFailuresByCause.replay).toBe(1)
  })

  it('delivers initial states, line crossings, person detection and tamper through a PullPoint', async () => {
    const cam = await connect()
    await camCall(cam, 'createPullPointSubscription')
    const initial = await pull(cam)
    expect(initial.map((e) => [e.topic, e.op])).toEqual([
      ['tns1:RuleEngine/FieldDetector/ObjectsInside', 'Initialized'],
      ['tns1:VideoSource/GlobalSceneChange/ImagingService', 'Initialized'],
    ])
    expect(initial[0]!.data).toEqual({ IsInside: 'false' })

    const waiting = pull(cam) // waits: nothing queued
    setTimeout(() => { camera.cross('door-in', 2); camera.detectPerson('entrance') }, 30)
    const events = await waiting
    expect(events.map((e) => e.topic)).toEqual([
      'tns1:RuleEngine/LineDetector/Crossed', 'tns1:RuleEngine/LineDetector/Crossed', 'tns1:RuleEngine/FieldDetector/ObjectsInside',
    ])
    expect(events[0]!.source.Rule).toBe('door-in')
    expect(events.map((e) => e.data.ObjectId ?? e.data.IsInside)).toEqual(['1', '2', 'true'])
    expect(events[2]).toMatchObject({ op: 'Changed', source: { Rule: 'entrance' } })

    camera.tamper()
    expect(await pull(cam)).toEqual([expect.objectContaining({
      topic: 'tns1:VideoSource/GlobalSceneChange/ImagingService', op: 'Changed', source: { Source: 'vs-1' }, data: { State: 'true' },
    })])
    expect(camera.counters.subscriptionsCreated).toBe(1)
    expect(camera.counters.messagesDelivered).toBe(6)
  })

  it('re-sends current states as Initialized on SetSynchronizationPoint', async () => {
    const cam = await connect()
    await camCall(cam, 'createPullPointSubscription')
    await pull(cam)
    camera.detectPerson('stairs')
    await pull(cam)
    const address = (cam as unknown as { events: { subscription: { subscriptionReference: { address: { href: string } } } } })
      .events.subscription.subscriptionReference.address.href
    const sync = await postSoap(address, soapEnvelope('<SetSynchronizationPoint xmlns="http://www.onvif.org/ver10/events/wsdl"/>',
      { username: camera.username, password: camera.password }))
    expect(sync.status).toBe(200)
    const states = await pull(cam)
    expect(states.map((e) => [e.source.Rule ?? e.source.Source, e.op, e.data.IsInside ?? e.data.State])).toEqual([
      ['entrance', 'Initialized', 'false'], ['stairs', 'Initialized', 'true'], ['vs-1', 'Initialized', 'false'],
    ])
  })

  it('honours InitialTerminationTime, renews, and faults pulls on an expired subscription', async () => {
    const token = { username: camera.username, password: camera.password }
    const created = await postSoap(camera.url.replace('device_service', 'events_service'), soapEnvelope(
      '<CreatePullPointSubscription xmlns="http://www.onvif.org/ver10/events/wsdl"><InitialTerminationTime>PT1S</InitialTerminationTime></CreatePullPointSubscription>', token))
    expect(created.status).toBe(200)
    const times = [...created.text.matchAll(/<wsnt:(?:Current|Termination)Time>([^<]+)</g)].map((m) => Date.parse(m[1]!))
    expect(times[1]! - times[0]!).toBe(1000)
    const address = /<wsa:Address>([^<]+)</.exec(created.text)![1]!
    const pullBody = '<PullMessages xmlns="http://www.onvif.org/ver10/events/wsdl"><Timeout>PT5S</Timeout><MessageLimit>5</MessageLimit></PullMessages>'
    expect((await postSoap(address, soapEnvelope(pullBody, token))).status).toBe(200) // the initial states
    // Waiting past the termination time: the pull ends with the fault a terminated subscription gets.
    const late = await postSoap(address, soapEnvelope(pullBody, token))
    expect(late.status).toBe(400)
    expect(late.text).toContain('ResourceUnknownFault')
    expect(camera.counters.subscriptionsExpired).toBe(1)
    const renew = await postSoap(address, soapEnvelope('<Renew xmlns="http://docs.oasis-open.org/wsn/b-2"><TerminationTime>PT60S</TerminationTime></Renew>', token))
    expect(renew.status).toBe(400)

    const cam = await connect()
    await camCall(cam, 'createPullPointSubscription')
    await camCall(cam, 'renew', {})
    expect(camera.counters.subscriptionsRenewed).toBe(1)
    camera.expireSubscriptions()
    await expect(pull(cam)).rejects.toThrow(/Unknown or expired subscription/)
    expect(camera.activeSubscriptions()).toBe(0)
  })

  it('ends a pull early: the socket closed, or an early empty answer', async () => {
    const cam = await connect()
    await camCall(cam, 'createPullPointSubscription')
    await pull(cam)
    camera.closeNextPull('close-socket')
    await expect(pull(cam)).rejects.toThrow(/socket hang up|ECONNRESET/)
    const waiting = pull(cam)
    setTimeout(() => camera.closeNextPull('empty'), 30)
    expect(await waiting).toEqual([])
    camera.cross('door-out')
    expect((await pull(cam)).map((e) => e.source.Rule)).toEqual(['door-out'])
    expect(camera.counters.pullsEndedEarly).toBe(2)
  })

  it('keeps the messages of a pull the client abandoned for its next pull', async () => {
    const token = { username: camera.username, password: camera.password }
    const created = await postSoap(camera.url.replace('device_service', 'events_service'),
      soapEnvelope('<CreatePullPointSubscription xmlns="http://www.onvif.org/ver10/events/wsdl"/>', token))
    const address = /<wsa:Address>([^<]+)</.exec(created.text)![1]!
    const pullBody = '<PullMessages xmlns="http://www.onvif.org/ver10/events/wsdl"><Timeout>PT2S</Timeout><MessageLimit>5</MessageLimit></PullMessages>'
    await postSoap(address, soapEnvelope(pullBody, token)) // the initial states
    const gaveUp = new AbortController()
    const abandoned = fetch(address, { method: 'POST', body: soapEnvelope(pullBody, token), signal: gaveUp.signal })
    await new Promise((resolve) => setTimeout(resolve, 50))
    gaveUp.abort()
    await expect(abandoned).rejects.toThrow()
    await new Promise((resolve) => setTimeout(resolve, 50))
    camera.cross('door-in')
    await new Promise((resolve) => setTimeout(resolve, 50)) // long enough for a stale pull to take it
    const next = await postSoap(address, soapEnvelope(pullBody, token))
    expect(next.text).toContain('LineDetector/Crossed')
    expect(camera.counters.messagesDelivered).toBe(3)
  })

  it('reboots: refuses connections meanwhile, forgets subscriptions, comes back with uptime reset', async () => {
    const cam = await connect()
    await camCall(cam, 'createPullPointSubscription')
    await pull(cam)
    const waiting = pull(cam)
    const rebooted = camera.reboot(300)
    await expect(waiting).rejects.toThrow(/socket hang up|ECONNRESET/)
    await expect(camCall(cam, 'getDeviceInformation')).rejects.toThrow(/ECONNREFUSED/)
    await rebooted
    expect(camera.uptimeMs()).toBeLessThan(1000)
    await expect(pull(cam)).rejects.toThrow(/Unknown or expired subscription/)
    await camCall(cam, 'createPullPointSubscription')
    expect((await pull(cam)).length).toBe(2)
    expect(camera.counters.reboots).toBe(1)
  })

  it('answers garbage, entity tricks, unknown actions and oversized bodies with faults, and keeps serving', async () => {
    const bomb = '<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>' +
      '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>&b;</s:Body></s:Envelope>'
    const external = '<!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>&x;</s:Body></s:Envelope>'
    for (const junk of ['', 'hello', '<s:Envelope', bomb, external, '<a><b></a></b>', '<x:y/>', '<?xml version="1.0"?><Envelope/>']) {
      const res = await postSoap(camera.url, junk)
      expect(res.status, junk).toBe(400)
      expect(res.text).toContain('ter:WellFormed')
      expect(res.text).not.toContain('root:')
    }
    const unknown = await postSoap(camera.url, soapEnvelope('<Frobnicate xmlns="http://www.onvif.org/ver10/device/wsdl"/>'))
    expect(unknown.status).toBe(500)
    expect(unknown.text).toContain('ter:ActionNotSupported')
    const huge = await postSoap(camera.url, soapEnvelope(`<GetScopes xmlns="http://www.onvif.org/ver10/device/wsdl">${'x'.repeat(100_000)}</GetScopes>`))
      .catch(() => ({ status: 413 }))
    expect(huge.status).toBe(413)
    expect(camera.counters.malformedRequests).toBe(9)
    const cam = await connect()
    await expect(camCall(cam, 'getDeviceInformation')).resolves.toMatchObject({ model: 'RB-CAM-1' })
  })
})
