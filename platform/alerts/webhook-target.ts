// Where a webhook may deliver: https to public addresses, nothing else. A
// webhook is a request the platform makes on someone's behalf from inside
// the network; to a loopback, private, link-local (cloud metadata) or other
// special address, or to the platform's own host, its delivery status would
// tell the owner what listens there. So:
// - at registration the URL is checked as written (after the WHATWG parser has
//   normalised numeric tricks such as 2130706433 or 0x7f.1 to 127.0.0.1) and
//   its host name resolved, every address checked;
// - at every delivery the name is resolved again, every address checked, and
//   the connection made to exactly those addresses (a name that changed to a
//   private address since, DNS rebinding, is refused);
// - WEBHOOK_ALLOW_INSECURE_LOCAL=on (development only) also allows loopback
//   targets, over http too, except the ports the platform itself listens on.

import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { BlockList, isIP } from 'node:net'
import { networkInterfaces } from 'node:os'

export interface ResolvedAddress { address: string; family: 4 | 6 }

export interface WebhookTargetPolicy {
  /** WEBHOOK_ALLOW_INSECURE_LOCAL: loopback targets (and http to them) are allowed. Development only. */
  allowInsecureLocal: boolean
  /** Ports the platform listens on: never a target, not even on loopback. */
  ownPorts?: () => readonly number[]
  /** Resolves a host name to all its addresses; default the system resolver (dns.lookup). */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>
  /** Longest wait for a name to resolve; default 5 s. */
  resolveTimeoutMs?: number
}

/** The strict policy: https to public addresses only. */
export const PUBLIC_TARGETS_ONLY: WebhookTargetPolicy = { allowInsecureLocal: false }

/** The target is not one a webhook may reach (a non-public address, the platform itself, a scheme). */
export class TargetRefused extends Error {
  constructor (readonly reason: string) {
    super(`webhook target refused: ${reason}`)
    this.name = 'TargetRefused'
  }
}

/** The host name did not resolve (in time). */
export class TargetUnresolved extends Error {
  constructor (cause: unknown) {
    super('webhook host name did not resolve', { cause })
    this.name = 'TargetUnresolved'
  }
}

const subnets = (type: 'ipv4' | 'ipv6', cidrs: string[]): BlockList => {
  const list = new BlockList()
  for (const c of cidrs) {
    const [net, prefix] = c.split('/')
    list.addSubnet(net!, Number(prefix), type)
  }
  return list
}

const LOOPBACK_V4 = subnets('ipv4', ['127.0.0.0/8'])
const LOOPBACK_V6 = subnets('ipv6', ['::1/128'])
// IPv4 space that is not the public internet (RFC 6890 and its registry).
const NOT_PUBLIC_V4 = subnets('ipv4', [
  '0.0.0.0/8', // "this network", 0.0.0.0 included
  '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', // private (RFC 1918)
  '100.64.0.0/10', // carrier-grade NAT
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link-local: 169.254.169.254 is the cloud metadata service
  '192.0.0.0/24', '192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', // protocol assignments, documentation
  '192.88.99.0/24', '198.18.0.0/15', // 6to4 relay, benchmarking
  '224.0.0.0/4', '240.0.0.0/4', // multicast, reserved and broadcast
])
// IPv6: only global unicast (2000::/3) is public; inside it these are not.
const GLOBAL_UNICAST_V6 = subnets('ipv6', ['2000::/3'])
const NOT_PUBLIC_V6 = subnets('ipv6', [
  '2001::/23', // protocol assignments (Teredo, benchmarking, ORCHID)
  '2001:db8::/32', // documentation
  '2002::/16', // 6to4: an IPv4 address inside
])

/** Addresses of this host's own interfaces: its ports are the platform's. */
function ownAddresses (): BlockList {
  const list = new BlockList()
  for (const infos of Object.values(networkInterfaces())) {
    for (const i of infos ?? []) list.addAddress(i.address.split('%')[0]!, i.family === 'IPv6' ? 'ipv6' : 'ipv4')
  }
  return list
}

const isLoopback = (ip: string, family: 4 | 6): boolean =>
  family === 4 ? LOOPBACK_V4.check(ip, 'ipv4') : LOOPBACK_V6.check(ip, 'ipv6')

/**
 * Why `ip` (an address literal) may not be connected to on `port`, or undefined when it may. Everything
 * outside the public unicast space is refused: loopback, private, CGNAT, link-local, multicast,
 * unspecified, IPv4-mapped and other embedded-IPv4 IPv6 forms, this host's own addresses.
 */
export function refusedAddress (ip: string, port: number, policy: WebhookTargetPolicy): string | undefined {
  const family = isIP(ip)
  if (family !== 4 && family !== 6) return 'not an IP address'
  if (isLoopback(ip, family)) {
    if (!policy.allowInsecureLocal) return 'a loopback address'
    return (policy.ownPorts?.() ?? []).includes(port) ? 'a port of the platform itself' : undefined
  }
  const type = family === 4 ? 'ipv4' : 'ipv6'
  const publicSpace = family === 4
    ? !NOT_PUBLIC_V4.check(ip, 'ipv4')
    : GLOBAL_UNICAST_V6.check(ip, 'ipv6') && !NOT_PUBLIC_V6.check(ip, 'ipv6')
  if (!publicSpace) return 'not a public address'
  if (ownAddresses().check(ip, type)) return 'an address of the platform itself'
  return undefined
}

/** A URL a webhook may be registered with, as the parser normalised it. */
export interface WebhookTarget {
  url: URL
  /** Host without IPv6 brackets or a trailing dot. */
  host: string
  port: number
  /** The host is an address literal (no name to resolve). */
  literal: boolean
}

const LOOPBACK_NAME = /^(?:.+\.)?localhost$/

/** Checks what the URL itself says; throws TargetRefused. Pure apart from the list of own addresses. */
export function parseWebhookTarget (raw: string, policy: WebhookTargetPolicy): WebhookTarget {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new TargetRefused('not a valid URL')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TargetRefused('the URL must be https')
  if (url.username !== '' || url.password !== '') throw new TargetRefused('put no credentials in the URL; deliveries are signed')
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase()
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port)
  const literal = isIP(host) !== 0
  const loopback = literal ? isLoopback(host, isIP(host) as 4 | 6) : LOOPBACK_NAME.test(host)
  if (url.protocol === 'http:' && !(policy.allowInsecureLocal && loopback)) throw new TargetRefused('the URL must be https')
  if (literal) {
    const why = refusedAddress(host, port, policy)
    if (why !== undefined) throw new TargetRefused(why)
  } else if (loopback && !policy.allowInsecureLocal) {
    throw new TargetRefused('a loopback address')
  }
  return { url, host, port, literal }
}

const systemResolve = (hostname: string): Promise<ResolvedAddress[]> => new Promise((resolve, reject) => {
  dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses: LookupAddress[]) => {
    if (err !== null) reject(err)
    else resolve(addresses.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })))
  })
})

/**
 * The addresses to connect to for `target`: the literal itself, or every address its name resolves to now,
 * each checked. Throws TargetRefused when any is not allowed (a name must not point inside even in part),
 * TargetUnresolved when the name does not resolve in time.
 */
export async function resolveWebhookTarget (target: WebhookTarget, policy: WebhookTargetPolicy): Promise<ResolvedAddress[]> {
  if (target.literal) return [{ address: target.host, family: isIP(target.host) as 4 | 6 }]
  let timer: NodeJS.Timeout | undefined
  let addresses: ResolvedAddress[]
  try {
    addresses = await Promise.race([
      (policy.resolve ?? systemResolve)(target.host),
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), policy.resolveTimeoutMs ?? 5000)
      }),
    ])
  } catch (err) {
    throw new TargetUnresolved(err)
  } finally {
    clearTimeout(timer)
  }
  if (addresses.length === 0) throw new TargetUnresolved(new Error('no addresses'))
  for (const a of addresses) {
    const why = refusedAddress(a.address, target.port, policy)
    if (why !== undefined) throw new TargetRefused(why)
  }
  return addresses
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void

/**
 * A `lookup` for http(s).request that answers with the addresses checked before, never asking DNS
 * again: the connection goes to exactly what was checked.
 */
export function pinnedLookup (addresses: readonly ResolvedAddress[]) {
  return (_hostname: string, options: { family?: number | string; all?: boolean }, callback: LookupCallback): void => {
    const want = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : Number(options.family ?? 0)
    const fit = addresses.filter((a) => want === 0 || a.family === want)
    if (fit.length === 0) {
      callback(Object.assign(new Error('no checked address of the wanted family'), { code: 'ENOTFOUND' }), '')
      return
    }
    if (options.all === true) callback(null, fit.map((a) => ({ address: a.address, family: a.family })))
    else callback(null, fit[0]!.address, fit[0]!.family)
  }
}
