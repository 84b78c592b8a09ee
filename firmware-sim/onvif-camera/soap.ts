// SOAP 1.2 envelopes and faults as the simulated camera writes them, and the ONVIF value formats it reads
// (xs:duration, xs:dateTime). Pure functions.

import { esc } from './xml.ts'

export const NS = {
  soap: 'http://www.w3.org/2003/05/soap-envelope',
  wsa: 'http://www.w3.org/2005/08/addressing',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  tds: 'http://www.onvif.org/ver10/device/wsdl',
  trt: 'http://www.onvif.org/ver10/media/wsdl',
  tev: 'http://www.onvif.org/ver10/events/wsdl',
  tt: 'http://www.onvif.org/ver10/schema',
  ter: 'http://www.onvif.org/ver10/error',
  tns1: 'http://www.onvif.org/ver10/topics',
  wsnt: 'http://docs.oasis-open.org/wsn/b-2',
  wstop: 'http://docs.oasis-open.org/wsn/t-1',
  wsrfrw: 'http://docs.oasis-open.org/wsrf/rw-2',
} as const

const DECLARATIONS = Object.entries(NS).map(([prefix, uri]) => `xmlns:${prefix === 'soap' ? 's' : prefix}="${uri}"`).join(' ')

/** A whole response document: the body's XML (already escaped) inside an envelope declaring every prefix used. */
export function envelope (body: string, header = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<s:Envelope ${DECLARATIONS}>` +
    (header === '' ? '' : `<s:Header>${header}</s:Header>`) + `<s:Body>${body}</s:Body></s:Envelope>`
}

/**
 * A SOAP fault the camera answers with. `code` is `Sender` (the client's fault: HTTP 400) or `Receiver` (the
 * camera's: HTTP 500); `subcodes` are QNames such as `ter:NotAuthorized`, outermost first.
 */
export class SoapFault extends Error {
  constructor (
    readonly code: 'Sender' | 'Receiver',
    readonly subcodes: string[],
    readonly reason: string,
    readonly detail?: string,
    readonly httpStatus = code === 'Sender' ? 400 : 500,
  ) {
    super(`${subcodes.join('/')}: ${reason}`)
  }
}

export const faults = {
  notAuthorized: (detail: string) => new SoapFault('Sender', ['ter:NotAuthorized'], 'Sender not Authorized', detail),
  wellFormed: (detail: string) => new SoapFault('Sender', ['ter:WellFormed'], 'The request is not well formed', detail),
  invalidArg: (what: string) => new SoapFault('Sender', ['ter:InvalidArgVal'], `Invalid argument: ${what}`),
  noProfile: (token: string) => new SoapFault('Sender', ['ter:InvalidArgVal', 'ter:NoProfile'], `No such profile: ${token}`),
  actionNotSupported: (action: string) => new SoapFault('Receiver', ['ter:ActionNotSupported'], `Action not supported: ${action}`),
  unknownSubscription: () => new SoapFault('Sender', ['wsrfrw:ResourceUnknownFault'], 'Unknown or expired subscription'),
  tooManySubscriptions: (max: number) =>
    new SoapFault('Receiver', ['ter:Action', 'ter:MaxNotificationProducers'], `At most ${max} subscriptions at a time`),
}

export function faultXml (fault: SoapFault): string {
  const subcodes = fault.subcodes.reduceRight((inner, qname) =>
    `<s:Subcode><s:Value>${esc(qname)}</s:Value>${inner}</s:Subcode>`, '')
  return envelope(
    `<s:Fault><s:Code><s:Value>s:${fault.code}</s:Value>${subcodes}</s:Code>` +
    `<s:Reason><s:Text xml:lang="en">${esc(fault.reason)}</s:Text></s:Reason>` +
    (fault.detail === undefined ? '' : `<s:Detail><s:Text>${esc(fault.detail)}</s:Text></s:Detail>`) +
    '</s:Fault>')
}

/** xs:dateTime the way cameras print it: UTC, whole seconds. */
export function isoSeconds (ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z')
}

const DURATION = /^(-)?P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/

/** xs:duration in milliseconds (years as 365 days, months as 30), or undefined when it is not one. */
export function parseDurationMs (text: string): number | undefined {
  const m = DURATION.exec(text.trim())
  if (!m || text.trim().endsWith('T') || text.trim() === 'P') return undefined
  const [, neg, y, mo, d, h, mi, s] = m
  const n = (v: string | undefined): number => (v === undefined ? 0 : Number(v))
  const ms = ((((n(y) * 365 + n(mo) * 30 + n(d)) * 24 + n(h)) * 60 + n(mi)) * 60 + n(s)) * 1000
  return neg ? -ms : ms
}

/**
 * A termination time as ONVIF clients send it: a duration from now (`PT60S`) or an absolute xs:dateTime
 * (in the camera's clock). Returns the absolute time in camera milliseconds, or undefined when unreadable.
 */
export function parseTerminationTime (text: string, cameraNowMs: number): number | undefined {
  const trimmed = text.trim()
  if (trimmed.startsWith('P') || trimmed.startsWith('-P')) {
    const d = parseDurationMs(trimmed)
    return d === undefined ? undefined : cameraNowMs + d
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(trimmed)) return undefined
  const at = Date.parse(trimmed)
  return Number.isFinite(at) ? at : undefined
}
