// How many MQTT connections the broker holds at once, over all its listeners:
//
//   total          open connections (sockets), authenticated or not      MQTT_MAX_CONNECTIONS
//   per address    open connections from one remote address              MQTT_MAX_CONNECTIONS_PER_ADDRESS
//   per account    person logins (`user:<name>`) of one account          MQTT_MAX_CONNECTIONS_PER_ACCOUNT
//
// A socket over the total or its address's limit is never handed to the
// broker: it is answered CONNACK 3 ("server unavailable", MQTT 3.1.1 table
// 3.1: retry later) as soon as it sends anything, and closed within
// REFUSAL_LINGER_MS either way, so an over-limit flood holds no slot and no
// broker state. A person login past its account's limit is refused with
// CONNACK 5 at authentication; the connection that takes over a client id
// already connected (MQTT-3.1.4-2) replaces it and is not counted twice.
//
// The default per address is high because a site's NAT gateway carries many
// devices; the throttle of failed logins (login-throttle.ts) deals with the
// guessing, this only with holding sockets.

import type { Duplex } from 'node:stream'

export interface ConnectionLimitOptions {
  /** Open connections in all; default 20,000. */
  maxConnections?: number
  /** Open connections from one remote address; default 1,000. */
  maxPerAddress?: number
  /** Person logins per account (dispatch consoles); default 10. */
  maxPerAccount?: number
}

export type LimitReason = 'too_many_connections' | 'too_many_connections_from_address' | 'too_many_connections_for_account'

export const DEFAULT_CONNECTION_LIMITS: Required<ConnectionLimitOptions> = { maxConnections: 20_000, maxPerAddress: 1_000, maxPerAccount: 10 }

/** How long an over-limit socket may take to send its CONNECT and read the refusal. */
export const REFUSAL_LINGER_MS = 2_000

const CONNACK_SERVER_UNAVAILABLE = Buffer.from([0x20, 0x02, 0x00, 0x03])

export class ConnectionLimits {
  readonly limits: Required<ConnectionLimitOptions>
  private total = 0
  private readonly byAddress = new Map<string, number>()
  /** Per account: the live client id of each person connection, and the connection holding it. */
  private readonly byAccount = new Map<string, Map<string, object>>()

  constructor (options: ConnectionLimitOptions = {}) {
    this.limits = { ...DEFAULT_CONNECTION_LIMITS, ...options }
    for (const [k, v] of Object.entries(this.limits)) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`${k} must be a whole number >= 1`)
    }
  }

  /** Counts a new socket from `address`, or says which limit it is over (and counts nothing). */
  open (address: string): LimitReason | undefined {
    if (this.total >= this.limits.maxConnections) return 'too_many_connections'
    const n = this.byAddress.get(address) ?? 0
    if (n >= this.limits.maxPerAddress) return 'too_many_connections_from_address'
    this.total++
    this.byAddress.set(address, n + 1)
    return undefined
  }

  /** The socket that `open` counted has closed. */
  close (address: string): void {
    const n = this.byAddress.get(address)
    if (n === undefined) return
    this.total--
    if (n <= 1) this.byAddress.delete(address)
    else this.byAddress.set(address, n - 1)
  }

  /**
   * Reserves a person connection of `account` with `clientId` for `owner`
   * (the connection), or refuses it. A client id the account already holds is
   * a take-over: the new connection gets the slot.
   */
  reserveAccount (account: string, clientId: string, owner: object): boolean {
    let held = this.byAccount.get(account)
    if (held === undefined) this.byAccount.set(account, held = new Map())
    if (!held.has(clientId) && held.size >= this.limits.maxPerAccount) return false
    held.set(clientId, owner)
    return true
  }

  /** Frees the slot if `owner` still holds it (a connection that was taken over holds nothing). */
  releaseAccount (account: string, clientId: string, owner: object): void {
    const held = this.byAccount.get(account)
    if (held?.get(clientId) !== owner) return
    held.delete(clientId)
    if (held.size === 0) this.byAccount.delete(account)
  }

  /** Open connections and accounts with person connections (for stats). */
  counts (): { connections: number; addresses: number; accounts: number } {
    return { connections: this.total, addresses: this.byAddress.size, accounts: this.byAccount.size }
  }
}

/** Answers an over-limit socket with CONNACK 3 once it speaks, and closes it; never later than REFUSAL_LINGER_MS. */
export function refuseOverLimit (stream: Duplex, lingerMs = REFUSAL_LINGER_MS): void {
  const timer = setTimeout(() => stream.destroy(), lingerMs)
  timer.unref()
  stream.on('error', () => {})
  stream.once('close', () => clearTimeout(timer))
  // Whatever it sent (normally its CONNECT) is not read: the refusal does not depend on it.
  stream.once('data', () => {
    stream.pause()
    if (stream.writable) stream.end(CONNACK_SERVER_UNAVAILABLE, () => stream.destroy())
    else stream.destroy()
  })
}
