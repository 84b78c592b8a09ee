// Keeps a person's connection no longer than their API session. Every
// `recheckMs` the token they connected with is looked up again; the
// connection is closed when the token is no longer valid (logout, expiry,
// disabled account), when the account's role or area changed since CONNECT
// (the ACL was decided on the old ones), or when the lookup fails (it cannot
// be confirmed; the client reconnects and gets CONNACK 3 until the directory
// is back). One timer per connection, unref'd; a check never overlaps the
// previous one. Nothing thrown here reaches Aedes.

import type { Client } from 'aedes'
import type { Logger } from 'pino'
import { dispatchScope } from './authenticate-person.ts'
import type { DeviceSessions, PersonIdentity } from './device-session.ts'
import type { DeviceStats } from './device-stats.ts'
import type { PersonDirectory } from './ports.ts'

export interface PersonSessionsDeps {
  directory: PersonDirectory | undefined
  sessions: DeviceSessions
  stats: DeviceStats
  logger: Logger
  recheckMs: number
}

export class PersonSessions {
  private readonly timers = new Map<Client, ReturnType<typeof setInterval>>()
  private readonly checking = new Set<Client>()

  constructor (private readonly deps: PersonSessionsDeps) {
    if (!(deps.recheckMs > 0)) throw new RangeError('recheckMs must be > 0')
  }

  /** A person's connection is ready (CONNACK sent): start checking its token. */
  watch (client: Client, person: PersonIdentity): void {
    this.deps.stats.personConnected()
    const timer = setInterval(() => { void this.recheck(client, person) }, this.deps.recheckMs)
    timer.unref()
    this.timers.set(client, timer)
  }

  /** The connection closed. */
  forget (client: Client): void {
    const timer = this.timers.get(client)
    if (timer === undefined) return
    clearInterval(timer)
    this.timers.delete(client)
    this.deps.stats.personDisconnected()
  }

  /** Stops every timer (the broker is closing the connections). */
  stop (): void {
    for (const client of [...this.timers.keys()]) this.forget(client)
  }

  get size (): number { return this.timers.size }

  private async recheck (client: Client, person: PersonIdentity): Promise<void> {
    if (this.checking.has(client) || !this.timers.has(client)) return
    this.checking.add(client)
    try {
      const reason = await this.problem(person)
      if (reason !== undefined && this.timers.has(client) && !client.closed) this.end(client, person, reason)
    } catch (err) {
      try { this.deps.logger.error({ err }, 'person session check failed') } catch { /* nothing left to do */ }
    } finally {
      this.checking.delete(client)
    }
  }

  /** Why the session must end, or undefined while it is still valid and unchanged. */
  private async problem (person: PersonIdentity): Promise<string | undefined> {
    if (this.deps.directory === undefined) return 'people are not enabled'
    let login
    try {
      login = await this.deps.directory.actorForToken(person.username, person.token)
    } catch (err) {
      this.deps.logger.warn({ err, username: person.username }, 'person directory lookup failed during a session check')
      return 'session could not be confirmed'
    }
    if (login === undefined || login.username !== person.username) return 'session token no longer valid'
    if (login.userId !== person.userId || login.role !== person.role || dispatchScope(login) !== person.areaPath) {
      return 'role or area changed'
    }
    return undefined
  }

  private end (client: Client, person: PersonIdentity, reason: string): void {
    this.deps.stats.personSessionEnded()
    this.deps.logger.info({ username: person.username, role: person.role, reason }, 'person session ended, disconnecting')
    client.close()
  }
}
