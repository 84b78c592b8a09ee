// Stream tickets: what a browser puts in the live stream's URL instead of its
// session token (EventSource cannot send headers, and URLs end up in proxy and
// access logs). A ticket is issued for a session, to one address, is valid for
// STREAM_TICKET_TTL_MS and is taken once. The stream then runs on the session
// it came from, and ends with it.

import { randomBytes } from 'node:crypto'
import { Errors } from '../errors.ts'
import { FOREIGN_KEY_VIOLATION, sqlState } from '../store/database.ts'
import type { Actor } from './access.ts'
import type { RegistryContext } from './context.ts'
import { tokenHash, type Users } from './users.ts'

export const STREAM_TICKET_TTL_MS = 60_000

export interface StreamSession {
  actor: Actor
  /** The session behind the ticket, to check again while the stream runs (Users.actorForSession). */
  sessionHash: string
}

export class StreamTickets {
  constructor (private readonly ctx: RegistryContext, private readonly users: Pick<Users, 'actorForSession'>) {}

  /** A ticket for the session of `token`, usable once from `ip` within STREAM_TICKET_TTL_MS. */
  async issue (token: string, ip: string): Promise<{ ticket: string; expiresAt: string }> {
    const ticket = randomBytes(32).toString('base64url')
    const now = this.ctx.now()
    const expiresAt = new Date(now.getTime() + STREAM_TICKET_TTL_MS)
    try {
      await this.ctx.db.query('delete from stream_tickets where expires_at <= $1', [now])
      await this.ctx.db.query('insert into stream_tickets (ticket_hash, token_hash, ip, expires_at) values ($1, $2, $3, $4)',
        [tokenHash(ticket), tokenHash(token), ip, expiresAt])
    } catch (err) {
      // The session ended between the token check and now; anything else is the database.
      if (sqlState(err) === FOREIGN_KEY_VIOLATION) throw new Errors.Unauthenticated('token unknown or expired; log in again')
      throw new Errors.Unavailable('stream tickets cannot be issued right now; try again shortly')
    }
    return { ticket, expiresAt: expiresAt.toISOString() }
  }

  /**
   * Takes the ticket (it cannot be used again, whatever the outcome) and
   * returns its live session; undefined for an unknown, used, expired or
   * ended one, or one issued to another address.
   */
  async redeem (ticket: string, ip: string): Promise<StreamSession | undefined> {
    let r
    try {
      r = await this.ctx.db.query<{ token_hash: string; ip: string; expires_at: Date }>(
        'delete from stream_tickets where ticket_hash = $1 returning token_hash, ip, expires_at', [tokenHash(ticket)])
    } catch {
      throw new Errors.Unavailable('stream tickets cannot be checked right now; try again shortly')
    }
    const row = r.rows[0]
    if (row === undefined || row.ip !== ip || row.expires_at.getTime() <= this.ctx.now().getTime()) return undefined
    const actor = await this.users.actorForSession(row.token_hash)
    return actor === undefined ? undefined : { actor, sessionHash: row.token_hash }
  }
}
