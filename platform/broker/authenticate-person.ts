// Who may connect as a person: the police stations, grid workers and
// administrators who receive alerts on `rh-alerts/v1/...`. Default deny, in
// this order; any failure is a CONNACK refusal [MQTT-3.2.2-5]:
//
//   user name      `user:<username>`, username [A-Za-z0-9._-]{1,64}    else 4
//   client id      `dispatch:<username>` or `dispatch:<username>:<tag>`,
//                  tag [A-Za-z0-9_-]{1,32}, 64 characters at most      else 2 [MQTT-3.1.3-5]
//   throttle       this address not blocked for the account or for
//                  every person login (login-throttle.ts)              else 5
//   password       a live API session token of that account            else 4
//   role           police, grid_worker or admin                        else 5
//   jurisdiction   police and grid workers have a valid area path      else 5
//   clean session  1: nothing is stored for a person between
//                  connections, nothing restored without a check       else 5
//   last will      none (a person publishes nothing)                   else 5
//   keep alive     1..maxKeepaliveS seconds                            else 5
//
// The `dispatch:` client id cannot be a device id (device ids have no `:`),
// so a person can never take over a device's session [MQTT-3.1.4-2], and it
// carries the username, so one person cannot take over another's.

import type { Client } from 'aedes'
import { areaPathIds, ID_MAX_LENGTH } from '../../protocol/index.ts'
import type { AuthenticateDeps } from './authenticate.ts'
import { behindThrottle, ConnackCode, keepaliveRefusal, refuse, type Verdict } from './connack.ts'
import type { ConnectFields, PersonIdentity } from './device-session.ts'
import type { PersonLogin } from './ports.ts'

export const PERSON_USERNAME_PREFIX = 'user:'
export const PERSON_CLIENT_ID_PREFIX = 'dispatch:'
/** Roles that receive alerts over MQTT. Landlords use the SSE stream; vendors receive no alerts. */
export const DISPATCH_ROLES: readonly string[] = ['police', 'grid_worker', 'admin']

const USERNAME = /^[A-Za-z0-9._-]{1,64}$/
const TAG = /^[A-Za-z0-9_-]{1,32}$/
/** API tokens are 43 characters; anything much longer is not one (and is not hashed). */
const MAX_TOKEN_BYTES = 512

export function isPersonLogin (username: string | undefined): username is string {
  return username !== undefined && username.startsWith(PERSON_USERNAME_PREFIX)
}

/** True for `dispatch:<username>` and `dispatch:<username>:<tag>`, up to 64 characters (the broker's limit for every client id). */
export function isPersonClientId (clientId: string, username: string): boolean {
  const base = `${PERSON_CLIENT_ID_PREFIX}${username}`
  if (clientId.length > ID_MAX_LENGTH) return false
  if (clientId === base) return true
  return clientId.startsWith(`${base}:`) && TAG.test(clientId.slice(base.length + 1))
}

/**
 * Where a dispatch login may receive alerts: null for the whole tree
 * (administrators), an area path for police and grid workers; undefined when
 * the role receives no alerts here or the jurisdiction is missing or malformed.
 */
export function dispatchScope (login: Pick<PersonLogin, 'role' | 'areaPath'>): string | null | undefined {
  if (!DISPATCH_ROLES.includes(login.role)) return undefined
  if (login.role === 'admin') return null
  return login.areaPath !== undefined && areaPathIds(login.areaPath) !== null ? login.areaPath : undefined
}

export async function decidePerson (
  deps: AuthenticateDeps,
  client: Client,
  fields: ConnectFields,
  login: string,
  password: Buffer | undefined,
  address: string,
): Promise<Verdict> {
  const { sessions, throttle } = deps
  const username = login.slice(PERSON_USERNAME_PREFIX.length)
  if (!USERNAME.test(username)) {
    throttle.fail(address)
    return refuse(ConnackCode.BAD_USERNAME_OR_PASSWORD, 'invalid_username', 'user name must be user:<username>', false)
  }
  if (!isPersonClientId(fields.clientId, username)) {
    throttle.fail(address)
    return refuse(ConnackCode.IDENTIFIER_REJECTED, 'invalid_client_id', 'client id must be dispatch:<username> or dispatch:<username>:<tag>', false)
  }
  const verdict = await behindThrottle(throttle, address, `person:${username}`, {}, () => check(deps, fields, username, password))
  if (verdict.ok && 'person' in verdict) sessions.setPerson(client, verdict.person)
  return verdict
}

async function check (deps: AuthenticateDeps, fields: ConnectFields, username: string, password: Buffer | undefined): Promise<Verdict> {
  if (deps.people === undefined) {
    return refuse(ConnackCode.NOT_AUTHORIZED, 'people_not_enabled', 'this broker accepts devices only', false)
  }
  if (password === undefined || password.length === 0) {
    return refuse(ConnackCode.BAD_USERNAME_OR_PASSWORD, 'missing_password', 'no password', true)
  }
  if (password.length > MAX_TOKEN_BYTES) return refuse(ConnackCode.BAD_USERNAME_OR_PASSWORD, 'bad_token', 'not a session token', true)
  const token = password.toString('utf8')
  let login: PersonLogin | undefined
  try {
    login = await deps.people.actorForToken(username, token)
  } catch (err) {
    deps.logger.error({ err, username }, 'person directory lookup failed')
    return refuse(ConnackCode.SERVER_UNAVAILABLE, 'directory_error', 'person directory unavailable', false)
  }
  if (login === undefined || login.username !== username) {
    return refuse(ConnackCode.BAD_USERNAME_OR_PASSWORD, 'bad_token', 'unknown, expired or revoked session token', true)
  }
  const scope = dispatchScope(login)
  if (scope === undefined) {
    return DISPATCH_ROLES.includes(login.role)
      ? refuse(ConnackCode.NOT_AUTHORIZED, 'no_jurisdiction', `the ${login.role} account has no valid area`, true)
      : refuse(ConnackCode.NOT_AUTHORIZED, 'role_not_allowed', `role ${login.role} does not receive alerts over MQTT`, true)
  }
  if (!fields.clean) {
    return refuse(ConnackCode.NOT_AUTHORIZED, 'persistent_session_not_allowed', 'a person must connect with CleanSession 1', true)
  }
  if (fields.will) return refuse(ConnackCode.NOT_AUTHORIZED, 'will_not_allowed', 'a person sets no last will', true)
  const keepalive = keepaliveRefusal(fields.keepalive, deps.maxKeepaliveS)
  if (keepalive) return keepalive
  const person: PersonIdentity = { userId: login.userId, username, role: login.role, areaPath: scope, token }
  return { ok: true, person }
}
