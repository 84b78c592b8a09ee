// WS-Discovery (2005/04) as a camera answers it, unicast only: a Probe datagram sent to the camera's UDP port
// gets a ProbeMatches back to the sender when its Types ask for a video transmitter or a device (or nothing).

import { randomUUID } from 'node:crypto'
import { child, parseXml } from './xml.ts'
import { esc } from './xml.ts'

const WSD = 'http://schemas.xmlsoap.org/ws/2005/04/discovery'
const WSA = 'http://schemas.xmlsoap.org/ws/2004/08/addressing'
const SOAP = 'http://www.w3.org/2003/05/soap-envelope'
const ANSWERED_TYPES = new Set(['NetworkVideoTransmitter', 'Device'])

export interface ProbeTarget { endpoint: string, xaddr: string, scopes: string[], instanceId: number }

export type ProbeVerdict = { kind: 'match', relatesTo: string } | { kind: 'not-for-us' } | { kind: 'garbage', reason: string }

/** Reads a datagram: a Probe we answer (with its MessageID), one for other types, or garbage. */
export function readProbe (datagram: string): ProbeVerdict {
  let root
  try {
    root = parseXml(datagram, { maxChars: 32 * 1024, maxElements: 200 })
  } catch (e) {
    return { kind: 'garbage', reason: (e as Error).message }
  }
  const header = child(root, 'Header', SOAP)
  const probe = child(child(root, 'Body', SOAP), 'Probe', WSD)
  if (root.ns !== SOAP || root.local !== 'Envelope' || !probe) return { kind: 'garbage', reason: 'not a Probe' }
  const types = (child(probe, 'Types', WSD)?.text ?? '').trim().split(/\s+/).filter((t) => t !== '')
  const wanted = types.length === 0 || types.some((t) => ANSWERED_TYPES.has(t.slice(t.indexOf(':') + 1)))
  if (!wanted) return { kind: 'not-for-us' }
  return { kind: 'match', relatesTo: child(header, 'MessageID', WSA)?.text.trim() ?? '' }
}

export function probeMatchXml (target: ProbeTarget, relatesTo: string, messageNumber: number): string {
  return '<?xml version="1.0" encoding="UTF-8"?>' +
    `<s:Envelope xmlns:s="${SOAP}" xmlns:a="${WSA}" xmlns:d="${WSD}" ` +
    'xmlns:dn="http://www.onvif.org/ver10/network/wsdl" xmlns:tds="http://www.onvif.org/ver10/device/wsdl">' +
    `<s:Header><a:MessageID>uuid:${randomUUID()}</a:MessageID><a:RelatesTo>${esc(relatesTo)}</a:RelatesTo>` +
    '<a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To>' +
    '<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</a:Action>' +
    `<d:AppSequence InstanceId="${target.instanceId}" MessageNumber="${messageNumber}"/></s:Header>` +
    '<s:Body><d:ProbeMatches><d:ProbeMatch>' +
    `<a:EndpointReference><a:Address>${esc(target.endpoint)}</a:Address></a:EndpointReference>` +
    '<d:Types>dn:NetworkVideoTransmitter tds:Device</d:Types>' +
    `<d:Scopes>${target.scopes.map(esc).join(' ')}</d:Scopes>` +
    `<d:XAddrs>${esc(target.xaddr)}</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion>` +
    '</d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>'
}
