// Stream tickets: what a browser puts in the live stream's URL instead of its
// session token (EventSource cannot send headers, and URLs end up in proxy and
// access logs). A ticket is issued for a session, to one address, is valid for
// STREAM_TICKET_TTL_MS and is taken once. The stream then runs on the session
// it came from, and ends with it.
//
// The table stays small: a ticket is deleted when it is taken (whatever the
// outcome) and when its session ends, every issue first deletes the expired
// ones, and an account holds at most STREAM_TICKETS_PER_ACCOUNT unexpired
// tickets (beyond, 429 until one is taken or expires).

import { randomBytes } from 'node:crypto'
import { Errors, isAppError } from '../errors.ts'
import { FOREIGN_KEY_VIOLATION, sqlState } from '../store/database.ts'
import type { Actor } from './access.ts'
import type { RegistryContext } from './context.ts'
import { tokenHash, type Users } from './users.ts'

export const STREAM_TICKET_TTL_MS = 60_000
/** Unexpired, untaken tickets one account may hold (all its sessions together). */
export const STREAM_TICKETS_PER_ACCOUNT = 10

export interface StreamSession {
  actor: Actor
  /** The session behind the ticket, to check again while the stream runs (Users.actorForSession). */
  sessionHash: string
}

export class StreamTickets {
  constructor (private readonly ctx: RegistryContext, private readonly users: Pick<Users, 'actorForSession'>) {}

  /**
   * A ticket for the session of `token`, usable once from `ip` within
   * STREAM_TICKET_TTL_MS; 429 while the account holds STREAM_TICKETS_PER_ACCOUNT.
   */
  async issue (token: string, ip: string): Promise<{ ticket: string; expiresAt: string }> {
    const ticket = randomBytes(32).toString('base64url')
    const now = this.ctx.now()
    const expiresAt = new Date(now.getTime() + STREAM_TICKET_TTL_MS)
    try {
      await this.ctx.db.transaction(async (tx) => {
        await tx.query('delete from stream_tickets where expires_at <= $1', [now])
        // The account's row is locked: concurrent issues for one account count one after the other.
        const owner = await tx.query<{ id: string }>(
          'select u.id from sessions s join users u on u.id = s.user_id where s.token_hash = $1 for update of u', [tokenHash(token)])
        const userId = owner.rows[0]?.id
        // The session ended between the token check and now.
        if (userId === undefined) throw new Errors.Unauthenticated('token unknown or expired; log in again')
        const held = await tx.query<{ n: number }>(
          'select count(*)::int as n from stream_tickets t join sessions s on s.token_hash = t.token_hash where s.user_id = $1', [userId])
        if (held.rows[0]!.n >= STREAM_TICKETS_PER_ACCOUNT) {
          throw new Errors.TooManyRequests(`this account holds ${STREAM_TICKETS_PER_ACCOUNT} unused stream tickets; use one, or wait until they expire (at most ${STREAM_TICKET_TTL_MS / 1000} s)`)
        }
        await tx.query('insert into stream_tickets (ticket_hash, token_hash, ip, expires_at) values ($1, $2, $3, $4)',
          [tokenHash(ticket), tokenHash(token), ip, expiresAt])
      })
    } catch (err) {
      if (isAppError(err)) throw err
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
