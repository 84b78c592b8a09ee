// The SOAP operations the simulated camera answers, keyed by the body element's namespace and local name.
// Each handler gets the parsed request and the camera's state and returns the response body (or asks for the
// connection to be dropped, as a camera ending a pull early does).

import { child, textAt, type XmlElement } from './xml.ts'
import { NS, faults, isoSeconds, parseDurationMs, parseTerminationTime } from './soap.ts'
import { notificationXml, type EventHub } from './events.ts'
import * as r from './responses.ts'

export const CLOSE_SOCKET = Symbol('close-socket')
export type Answer = string | typeof CLOSE_SOCKET

export interface OperationContext {
  body: XmlElement
  header: XmlElement | undefined
  path: string
  now: () => number
  hub: EventHub
  identity: r.CameraIdentity
  endpoints: r.Endpoints
  subscriptionAddress: (id: string) => string
  /** Aborted when the client's connection closes before the answer. */
  signal: AbortSignal
}

export interface Operation {
  name: string
  /** Answered without authentication (the ONVIF PRE_AUTH access class). */
  preAuth: boolean
  run: (ctx: OperationContext) => Answer | Promise<Answer>
}

const MAX_PULL_TIMEOUT_MS = 60_000
const MAX_MESSAGE_LIMIT = 1000

function profileToken (ctx: OperationContext): string {
  const token = textAt(ctx.body, 'ProfileToken') ?? ''
  if (!r.PROFILES.some((p) => p.token === token)) throw faults.noProfile(token)
  return token
}

/** The subscription a manager request is for: from the address it was posted to, or the WS-Addressing To. */
function subscriptionId (ctx: OperationContext): string {
  const fromPath = /^\/onvif\/pullpoint\/([\w-]{1,40})$/.exec(ctx.path)?.[1]
  const to = child(ctx.header, 'To', NS.wsa)?.text.trim() ?? ''
  const fromTo = /\/onvif\/pullpoint\/([\w-]{1,40})$/.exec(to)?.[1]
  const id = fromPath ?? fromTo
  if (id === undefined) throw faults.unknownSubscription()
  return id
}

function terminationArgument (text: string | undefined, now: number): number | undefined {
  if (text === undefined || text === '') return undefined
  const at = parseTerminationTime(text, now)
  if (at === undefined) throw faults.invalidArg(`termination time ${text.slice(0, 40)}`)
  return at
}

async function pullMessages (ctx: OperationContext): Promise<Answer> {
  const id = subscriptionId(ctx)
  const timeoutText = textAt(ctx.body, 'Timeout')
  const timeoutMs = timeoutText === undefined ? 10_000 : parseDurationMs(timeoutText)
  const limitText = textAt(ctx.body, 'MessageLimit')
  const limit = limitText === undefined ? 10 : Number(limitText)
  if (timeoutMs === undefined || timeoutMs < 0) throw faults.invalidArg('Timeout')
  if (!Number.isInteger(limit) || limit < 1) throw faults.invalidArg('MessageLimit')
  const result = await ctx.hub.pull(id, Math.min(timeoutMs, MAX_PULL_TIMEOUT_MS), Math.min(limit, MAX_MESSAGE_LIMIT), ctx.signal)
  if (result.kind === 'close-socket') return CLOSE_SOCKET
  const events = result.kind === 'messages' ? result.events : []
  const now = ctx.now()
  // The answer reads the termination time after the wait; a subscription ended meanwhile has none left.
  let termination = now
  try { termination = ctx.hub.terminationOf(id) } catch { /* ended during the wait: report it as ending now */ }
  return '<tev:PullMessagesResponse>' + r.subscriptionTimes(now, termination, 'tev') +
    events.map((e) => notificationXml(e, ctx.subscriptionAddress(id))).join('') + '</tev:PullMessagesResponse>'
}

const list: Array<[string, string, boolean, Operation['run']]> = [
  [NS.tds, 'GetSystemDateAndTime', true, (c) => r.systemDateAndTime(c.now())],
  [NS.tds, 'GetCapabilities', true, (c) => r.capabilities(c.endpoints)],
  [NS.tds, 'GetServices', true, (c) => r.services(c.endpoints, textAt(c.body, 'IncludeCapability') === 'true')],
  [NS.tds, 'GetServiceCapabilities', true, () =>
    '<tds:GetServiceCapabilitiesResponse><tds:Capabilities><tds:Network/><tds:Security UsernameToken="true"/>' +
    '<tds:System/></tds:Capabilities></tds:GetServiceCapabilitiesResponse>'],
  [NS.tds, 'GetDeviceInformation', false, (c) => r.deviceInformation(c.identity)],
  [NS.tds, 'GetScopes', false, (c) => r.scopes(c.identity)],
  [NS.tds, 'GetHostname', false, (c) =>
    '<tds:GetHostnameResponse><tds:HostnameInformation><tt:FromDHCP>false</tt:FromDHCP>' +
    `<tt:Name>${c.identity.serialNumber}</tt:Name></tds:HostnameInformation></tds:GetHostnameResponse>`],
  [NS.trt, 'GetProfiles', false, () => r.profiles()],
  [NS.trt, 'GetVideoSources', false, () => r.videoSources()],
  [NS.trt, 'GetSnapshotUri', false, (c) => r.mediaUri('GetSnapshotUriResponse', c.endpoints.snapshot(profileToken(c)))],
  [NS.trt, 'GetStreamUri', false, (c) => r.mediaUri('GetStreamUriResponse', `${c.endpoints.rtsp}/${profileToken(c)}`)],
  [NS.trt, 'SetSynchronizationPoint', false, (c) => { profileToken(c); return '<trt:SetSynchronizationPointResponse/>' }],
  [NS.tev, 'GetServiceCapabilities', false, () =>
    '<tev:GetServiceCapabilitiesResponse><tev:Capabilities WSSubscriptionPolicySupport="false" WSPullPointSupport="true" ' +
    'WSPausableSubscriptionManagerInterfaceSupport="false" MaxNotificationProducers="0" MaxPullPoints="8" ' +
    'PersistentNotificationStorage="false"/></tev:GetServiceCapabilitiesResponse>'],
  [NS.tev, 'GetEventProperties', false, () => r.eventProperties()],
  [NS.tev, 'CreatePullPointSubscription', false, (c) => {
    const now = c.now()
    const sub = c.hub.create(terminationArgument(textAt(c.body, 'InitialTerminationTime'), now))
    return '<tev:CreatePullPointSubscriptionResponse><tev:SubscriptionReference>' +
      `<wsa:Address>${c.subscriptionAddress(sub.id)}</wsa:Address></tev:SubscriptionReference>` +
      r.subscriptionTimes(now, sub.terminationMs) + '</tev:CreatePullPointSubscriptionResponse>'
  }],
  [NS.tev, 'PullMessages', false, pullMessages],
  [NS.tev, 'SetSynchronizationPoint', false, (c) => {
    c.hub.synchronize(subscriptionId(c))
    return '<tev:SetSynchronizationPointResponse/>'
  }],
  [NS.wsnt, 'Renew', false, (c) => {
    const now = c.now()
    const at = c.hub.renew(subscriptionId(c), terminationArgument(textAt(c.body, 'TerminationTime'), now))
    // RenewResponse lists TerminationTime first.
    return `<wsnt:RenewResponse><wsnt:TerminationTime>${isoSeconds(at)}</wsnt:TerminationTime>` +
      `<wsnt:CurrentTime>${isoSeconds(now)}</wsnt:CurrentTime></wsnt:RenewResponse>`
  }],
  [NS.wsnt, 'Unsubscribe', false, (c) => { c.hub.unsubscribe(subscriptionId(c)); return '<wsnt:UnsubscribeResponse/>' }],
]

export const OPERATIONS = new Map<string, Operation>(
  list.map(([ns, name, preAuth, run]) => [`${ns} ${name}`, { name, preAuth, run }]))
