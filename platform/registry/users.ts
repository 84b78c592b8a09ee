// People's accounts, their sessions (bearer tokens) and logins.

import { createHash, randomBytes } from 'node:crypto'
import { LoginThrottle, type LoginThrottleOptions } from '../broker/login-throttle.ts'
import { Errors } from '../errors.ts'
import { sqlState, UNIQUE_VIOLATION } from '../store/database.ts'
import { ROLES, type Actor, type Role } from './access.ts'
import { writeAudit } from './audit-log.ts'
import { iso, newId, type RegistryContext } from './context.ts'
import { hashPassword, UNUSABLE_PASSWORD_HASH, verifyPassword } from './passwords.ts'
import { SessionCache, type SessionCacheOptions } from './session-cache.ts'

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000
export const MIN_PASSWORD_LENGTH = 10

export interface User {
  id: string
  username: string
  displayName: string
  role: Role
  areaId: string | null
  organisation: string | null
  disabled: boolean
  createdAt: string
}

export interface NewUser {
  username: string
  displayName: string
  role: Role
  password: string
  areaId?: string
  organisation?: string
}

interface UserRow {
  id: string; username: string; display_name: string; role: Role; area_id: string | null
  organisation: string | null; disabled: boolean; created_at: Date; password_hash: string; area_path: string | null
}

const toUser = (r: UserRow): User => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  areaId: r.area_id,
  organisation: r.organisation,
  disabled: r.disabled,
  createdAt: iso(r.created_at),
})

function toActor (r: UserRow): Actor {
  const actor: Actor = { id: r.id, role: r.role, username: r.username }
  if (r.area_path !== null) actor.areaPath = r.area_path
  return actor
}

/** Rejects when `p` has not settled within `ms` (`p` itself runs on). */
function withTimeout<T> (p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
  })
  return Promise.race([p, late]).finally(() => clearTimeout(timer))
}

export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex')

/** A session lookup slower than this is treated as a database outage (the cache answers, or 503). */
const SESSION_LOOKUP_TIMEOUT_MS = 3_000

const SELECT_USER = 'select u.*, a.path as area_path from users u left join areas a on a.id = u.area_id'
const SELECT_SESSION = 'select u.*, a.path as area_path, s.expires_at as session_expires_at ' +
  'from sessions s join users u on u.id = s.user_id left join areas a on a.id = u.area_id'

/**
 * API logins (people's passwords, which can be guessed, unlike device secrets):
 * 5 failures a minute refuse that address for that account, 20 a minute refuse
 * the address for every account; failures on one account from everywhere only
 * slow its logins down (login-throttle.ts).
 */
export const LOGIN_THROTTLE: Omit<LoginThrottleOptions, 'now'> = { address: { maxFailures: 20 } }

export interface UsersOptions {
  throttle?: Omit<LoginThrottleOptions, 'now'>
  /** Waits out a throttle delay; default setTimeout. */
  sleep?: (ms: number) => Promise<void>
  sessionCache?: Omit<SessionCacheOptions, 'now'>
}

export class Users {
  private readonly throttle: LoginThrottle
  private readonly sleep: (ms: number) => Promise<void>
  private readonly sessions: SessionCache

  constructor (private readonly ctx: RegistryContext, options: UsersOptions = {}) {
    this.throttle = new LoginThrottle({ ...LOGIN_THROTTLE, ...options.throttle, now: () => ctx.now().getTime() })
    this.sessions = new SessionCache({ ...options.sessionCache, now: () => ctx.now().getTime() })
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)))
  }

  /** Creates an account. Admins create any; the platform itself creates the first admin (actor null). */
  async create (actor: Actor | null, input: NewUser): Promise<User> {
    if (actor !== null && actor.role !== 'admin') throw new Errors.Forbidden('only administrators create accounts')
    if (!ROLES.includes(input.role)) throw new Errors.BadRequest(`unknown role ${input.role}`)
    if (input.password.length < MIN_PASSWORD_LENGTH) {
      throw new Errors.BadRequest(`password must have at least ${MIN_PASSWORD_LENGTH} characters`)
    }
    const needsArea = input.role === 'grid_worker' || input.role === 'police'
    if (needsArea && input.areaId === undefined) throw new Errors.BadRequest(`a ${input.role} account needs an areaId (its jurisdiction)`)
    if (!needsArea && input.areaId !== undefined) throw new Errors.BadRequest(`a ${input.role} account has no areaId`)
    if (input.role === 'vendor' && input.organisation === undefined) throw new Errors.BadRequest('a vendor account needs an organisation')
    if (input.areaId !== undefined) {
      const a = await this.ctx.db.query('select 1 from areas where id = $1', [input.areaId])
      if (a.rows.length === 0) throw new Errors.NotFound(`area ${input.areaId}`)
    }
    const id = newId('u')
    const passwordHash = await hashPassword(input.password)
    try {
      // The account and its audit entry, or neither.
      await this.ctx.db.transaction(async (tx) => {
        await tx.query(
          `insert into users (id, username, display_name, role, area_id, organisation, password_hash)
           values ($1, $2, $3, $4, $5, $6, $7)`,
          [id, input.username, input.displayName, input.role, input.areaId ?? null, input.organisation ?? null, passwordHash],
        )
        await writeAudit(tx, actor, 'user.created', { type: 'user', id }, { role: input.role, username: input.username })
      })
    } catch (err) {
      if (sqlState(err) === UNIQUE_VIOLATION) throw new Errors.Conflict(`username ${input.username} is taken`)
      throw err
    }
    return this.get(id)
  }

  async get (id: string): Promise<User> {
    const r = await this.ctx.db.query<UserRow>(`${SELECT_USER} where u.id = $1`, [id])
    if (r.rows.length === 0) throw new Errors.NotFound(`user ${id}`)
    return toUser(r.rows[0]!)
  }

  async list (actor: Actor, role?: Role): Promise<User[]> {
    if (actor.role !== 'admin') throw new Errors.Forbidden('only administrators list accounts')
    const r = role === undefined
      ? await this.ctx.db.query<UserRow>(`${SELECT_USER} order by u.username`)
      : await this.ctx.db.query<UserRow>(`${SELECT_USER} where u.role = $1 order by u.username`, [role])
    return r.rows.map(toUser)
  }

  /**
   * Changes an account (administrators): disables or enables it, renames it, or moves a police or grid worker
   * account to another area. Disabling or moving ends its sessions, so no session keeps the old scope.
   */
  async update (actor: Actor, id: string, patch: { disabled?: boolean; displayName?: string; areaId?: string }): Promise<User> {
    if (actor.role !== 'admin') throw new Errors.Forbidden('only administrators change accounts')
    if (patch.disabled === undefined && patch.displayName === undefined && patch.areaId === undefined) throw new Errors.BadRequest('nothing to change')
    const user = await this.get(id)
    if (patch.areaId !== undefined) {
      if (user.role !== 'grid_worker' && user.role !== 'police') throw new Errors.BadRequest(`a ${user.role} account has no areaId`)
      const a = await this.ctx.db.query('select 1 from areas where id = $1', [patch.areaId])
      if (a.rows.length === 0) throw new Errors.NotFound(`area ${patch.areaId}`)
    }
    const moved = patch.areaId !== undefined && patch.areaId !== user.areaId
    const endSessions = patch.disabled === true || moved
    await this.ctx.db.transaction(async (tx) => {
      if (patch.disabled !== undefined) {
        await tx.query('update users set disabled = $2 where id = $1', [id, patch.disabled])
        await writeAudit(tx, actor, patch.disabled ? 'user.disabled' : 'user.enabled', { type: 'user', id })
      }
      if (patch.displayName !== undefined || moved) {
        await tx.query('update users set display_name = coalesce($2, display_name), area_id = coalesce($3, area_id) where id = $1',
          [id, patch.displayName ?? null, moved ? patch.areaId : null])
        await writeAudit(tx, actor, 'user.changed', { type: 'user', id }, {
          ...(patch.displayName === undefined ? {} : { displayName: patch.displayName }), ...(moved ? { fromArea: user.areaId, toArea: patch.areaId } : {}),
        })
      }
      if (endSessions) await tx.query('delete from sessions where user_id = $1', [id])
    })
    if (endSessions) this.sessions.forgetUser(id)
    return this.get(id)
  }

  async setDisabled (actor: Actor, id: string, disabled: boolean): Promise<User> {
    return await this.update(actor, id, { disabled })
  }

  /**
   * Checks a password and opens a session. Failed logins are throttled per
   * address and account, per address, and (slowed down only) per account.
   */
  async login (username: string, password: string, ip: string): Promise<{ token: string; expiresAt: string; user: User }> {
    const decision = this.throttle.check(ip, username)
    if (!decision.allowed) {
      const which = decision.scope === 'pair' ? ' for this account' : ''
      throw new Errors.TooManyRequests(`too many failed logins from this address${which}; try again in ${Math.ceil(decision.retryAfterMs / 1000)} s`)
    }
    if (decision.delayMs > 0) await this.sleep(decision.delayMs)
    const r = await this.ctx.db.query<UserRow>(`${SELECT_USER} where u.username = $1`, [username])
    const row = r.rows[0]
    const ok = await verifyPassword(password, row?.password_hash ?? UNUSABLE_PASSWORD_HASH)
    if (row === undefined || !ok || row.disabled) {
      this.throttle.fail(ip, username)
      await writeAudit(this.ctx.db, null, 'login.failed', null, { username, ip })
      throw new Errors.Unauthenticated('wrong username or password')
    }
    this.throttle.succeed(ip, username)
    const token = randomBytes(32).toString('base64url')
    const expiresAt = new Date(this.ctx.now().getTime() + SESSION_TTL_MS)
    // The session and its audit entry, or neither.
    await this.ctx.db.transaction(async (tx) => {
      await writeAudit(tx, { id: row.id, role: row.role, username: row.username, ip }, 'login.succeeded', { type: 'user', id: row.id })
      await tx.query('insert into sessions (token_hash, user_id, expires_at) values ($1, $2, $3)', [tokenHash(token), row.id, expiresAt])
    })
    await this.ctx.db.query('delete from sessions where expires_at < $1', [this.ctx.now()]).catch(() => {
      // Housekeeping only: the next login deletes them.
    })
    this.sessions.put(tokenHash(token), toActor(row), expiresAt.getTime())
    return { token, expiresAt: expiresAt.toISOString(), user: toUser(row) }
  }

  /**
   * The actor behind a bearer token, or undefined when unknown, expired or
   * disabled. While the database cannot be reached, a session this node
   * validated recently is still known (session-cache.ts); any other token
   * gets RH_UNAVAILABLE (503): it can be judged neither valid nor invalid.
   */
  async actorForToken (token: string): Promise<Actor | undefined> {
    return this.actorForSession(tokenHash(token))
  }

  /** actorForToken by the token's hash (what the database and stream tickets keep). */
  async actorForSession (hash: string): Promise<Actor | undefined> {
    let row: (UserRow & { session_expires_at: Date }) | undefined
    try {
      const r = await withTimeout(this.ctx.db.query<UserRow & { session_expires_at: Date }>(
        `${SELECT_SESSION} where s.token_hash = $1 and s.expires_at > $2 and not u.disabled`,
        [hash, this.ctx.now()],
      ), SESSION_LOOKUP_TIMEOUT_MS)
      row = r.rows[0]
    } catch {
      const known = this.sessions.get(hash)
      if (known !== undefined) return known
      throw new Errors.Unavailable('the accounts cannot be read right now; try again shortly')
    }
    if (row === undefined) {
      this.sessions.forgetToken(hash)
      return undefined
    }
    const actor = toActor(row)
    this.sessions.put(hash, actor, row.session_expires_at.getTime())
    return actor
  }

  async logout (token: string): Promise<void> {
    // Forgotten here first: even if the database cannot be told, this node no longer accepts it.
    this.sessions.forgetToken(tokenHash(token))
    await this.ctx.db.query('delete from sessions where token_hash = $1', [tokenHash(token)])
  }
}
