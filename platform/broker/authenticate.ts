// Who may connect. Default deny: a CONNECT is accepted only when every check
// below passes; anything else gets a CONNACK refusal and the connection is
// closed [MQTT-3.2.2-5]. Return codes are those of MQTT 3.1.1 table 3.1.
//
// A user name starting with `user:` is a person (a dispatch centre): see
// authenticate-person.ts. Everything else is a device:
//
//   client id      a valid device id, sent by the device itself      else 2 [MQTT-3.1.3-9]
//   throttle       a device guessed at waits (login-throttle.ts),
//                  up to 5 s; never refused: a site's devices share
//                  one NAT address, and a wrong secret under a
//                  device's id must not keep the device out
//   user name      equal to the client id                            else 4
//   password       sha256 matches the directory's `secretHash`       else 4 (also: unknown device)
//   enabled        the device is enabled                             else 5
//   keep alive     1..maxKeepaliveS seconds (presence needs it)      else 5
//   last will      exactly the device's own status topic, retained,
//                  QoS <= 1, payload the offline status with reason
//                  `lwt` and nothing else (LAST_WILL_PAYLOAD)        else 5
//
// Before any of this, a socket over the total or per-address connection limit
// is refused with 3 (connection-limits.ts); a person past the account's limit
// of connections gets 5 once every other check passed.
//
// Every refusal is logged (never the password or user name) and counted by
// reason; every log line of a decision says how long the throttle held the
// login back (`heldBackMs`). A refused attempt counts as a throttle failure, except refusals by
// the throttle itself and our own failures (directory down or busy: code 3).

import { createHash, timingSafeEqual } from 'node:crypto'
import type { AedesOptions, AuthenticateError, Client } from 'aedes'
import type { Logger } from 'pino'
import { deviceTopic, isValidId, lastWillProblem, UPLINK_DELIVERY } from '../../protocol/index.ts'
import { decidePerson, isPersonLogin } from './authenticate-person.ts'
import { behindThrottle, ConnackCode, keepaliveRefusal, refuse, type Verdict } from './connack.ts'
import type { ConnectFields, DeviceIdentity, DeviceSessions, PersonIdentity } from './device-session.ts'
import type { DeviceStats } from './device-stats.ts'
import type { LoginThrottle } from './login-throttle.ts'
import { DirectoryBusyError, type DeviceDirectory, type PersonDirectory } from './ports.ts'

type AuthenticateHandler = NonNullable<AedesOptions['authenticate']>
type PreConnectHandler = NonNullable<AedesOptions['preConnect']>

export { ConnackCode } from './connack.ts'

export interface AuthenticateDeps {
  directory: DeviceDirectory
  /** People (dispatch centres); without it every `user:` login is refused. */
  people?: PersonDirectory
  sessions: DeviceSessions
  stats: DeviceStats
  logger: Logger
  /** Failed logins per (address, `device:<id>` or `person:<username>`), per address and per login. */
  throttle: LoginThrottle
  /** Largest keep-alive accepted, seconds. */
  maxKeepaliveS: number
  /** Takes a connection slot of the person's account; false when the account holds all it may (connection-limits.ts). */
  reservePerson?: (client: Client, person: PersonIdentity, clientId: string) => boolean
}

/** Records the CONNECT fields for `authenticate`; never refuses by itself. */
export function createPreConnect (sessions: DeviceSessions): PreConnectHandler {
  return function preConnect (client, packet, callback) {
    try {
      const fields: ConnectFields = { clientId: packet.clientId ?? '', keepalive: packet.keepalive ?? 0, clean: packet.clean !== false }
      if (packet.will) {
        const { topic, payload, qos, retain } = packet.will
        fields.will = { topic, payload: Buffer.from(payload), qos: qos ?? 0, retain: retain === true }
      }
      sessions.setConnect(client, fields)
    } catch {
      // authenticate() refuses a connection whose fields were not recorded
    }
    callback(null, true)
  }
}

export function createAuthenticate (deps: AuthenticateDeps): AuthenticateHandler {
  const { sessions, stats, logger } = deps

  return function authenticate (client, username, password, done) {
    let answered = false
    const answer = (verdict: Verdict): void => {
      if (answered) return
      answered = true
      if (verdict.ok) {
        done(null, true)
        return
      }
      const err = new Error(verdict.detail) as AuthenticateError
      err.returnCode = verdict.code as AuthenticateError['returnCode']
      done(err, false)
    }
    decide(deps, client, username, password).then(
      (decided) => {
        const verdict = withinAccountLimit(decided, client)
        report(verdict, client)
        answer(verdict)
      },
      (err: unknown) => {
        // Busy: the directory shed the lookup (see DeviceLogins); the refusal itself is logged below.
        const busy = err instanceof DirectoryBusyError
        if (!busy) logger.error({ err, clientId: clip(sessions.connect(client)?.clientId) }, 'device directory lookup failed')
        const verdict: Verdict = busy
          ? refuse(ConnackCode.SERVER_UNAVAILABLE, 'directory_busy', 'device directory busy, retry later', false)
          : refuse(ConnackCode.SERVER_UNAVAILABLE, 'directory_error', 'device directory unavailable', false)
        report(verdict, client)
        answer(verdict)
      },
    )
  }

  /** An accepted person still needs a free slot of their account; refused with 5 otherwise, not a failed login. */
  function withinAccountLimit (verdict: Verdict, client: Client): Verdict {
    if (!verdict.ok || !('person' in verdict) || deps.reservePerson === undefined) return verdict
    const clientId = sessions.connect(client)?.clientId ?? ''
    if (deps.reservePerson(client, verdict.person, clientId)) return verdict
    return refuse(ConnackCode.NOT_AUTHORIZED, 'too_many_connections_for_account', 'this account holds as many alert connections as it may', false)
  }

  function report (verdict: Verdict, client: Client): void {
    try {
      const remoteAddress = sessions.remoteAddress(client)
      const { heldBackMs } = verdict
      if (verdict.ok && 'person' in verdict) {
        const { userId, username, role, areaPath } = verdict.person
        logger.info({ userId, username, role, areaPath, remoteAddress, heldBackMs }, 'person authenticated')
        return
      }
      if (verdict.ok) {
        logger.info({ deviceId: verdict.device.deviceId, buildingId: verdict.device.buildingId, remoteAddress, heldBackMs }, 'device authenticated')
        return
      }
      stats.connectionRefused(verdict.reason, verdict.knownDevice)
      logger.warn({
        clientId: clip(sessions.connect(client)?.clientId),
        remoteAddress,
        transport: sessions.transport(client),
        reason: verdict.reason,
        returnCode: verdict.code,
        detail: verdict.detail,
        heldBackMs,
      }, 'mqtt connection refused')
    } catch {
      // logging must not decide the connection
    }
  }
}

async function decide (
  deps: AuthenticateDeps,
  client: Client,
  username: string | undefined,
  password: Buffer | undefined,
): Promise<Verdict> {
  const { sessions, throttle } = deps
  const fields = sessions.connect(client)
  const address = sessions.remoteAddress(client) ?? 'unknown'
  const clientId = fields?.clientId ?? ''
  if (fields && isPersonLogin(username)) return decidePerson(deps, client, fields, username, password, address)

  // [MQTT-3.1.3-5] the server may restrict client ids; ours are device ids.
  // An empty id (Aedes would invent one) is refused too [MQTT-3.1.3-9].
  // Like every device login, slowed down only (login-throttle.ts, AttemptScope).
  if (!fields || !isValidId(clientId)) {
    return refuse(ConnackCode.IDENTIFIER_REJECTED, 'invalid_client_id', 'client id must be a device id', false)
  }
  const verdict = await behindThrottle(throttle, address, `device:${clientId}`, DEVICE_LOGIN, () => check(deps, fields, clientId, username, password))
  if (verdict.ok && 'device' in verdict) sessions.setDevice(client, verdict.device)
  return verdict
}

/** Device logins are only slowed down per device, never refused (login-throttle.ts, AttemptScope). */
const DEVICE_LOGIN = { slowOnly: true } as const

async function check (
  deps: AuthenticateDeps,
  fields: ConnectFields,
  clientId: string,
  username: string | undefined,
  password: Buffer | undefined,
): Promise<Verdict> {
  if (username !== clientId) {
    return refuse(ConnackCode.BAD_USERNAME_OR_PASSWORD, 'username_mismatch', 'user name must equal the client id', true)
  }
  if (password === undefined || password.length === 0) {
    return refuse(ConnackCode.BAD_USERNAME_OR_PASSWORD, 'missing_password', 'no password', true)
  }
  const login = await deps.directory.find(clientId)
  // Hash even for an unknown device, so both paths do the same work.
  const secretOk = secretMatches(login?.secretHash, password)
  if (!login || login.deviceId !== clientId) {
    return refuse(ConnackCode.BAD_USERNAME_OR_PASSWORD, 'unknown_device', 'unknown device', true)
  }
  deps.stats.track(clientId)
  // Only a caller holding the secret learns that the device is disabled.
  if (!secretOk) return refuse(ConnackCode.BAD_USERNAME_OR_PASSWORD, 'bad_secret', 'wrong secret', true, clientId)
  if (!login.enabled) return refuse(ConnackCode.NOT_AUTHORIZED, 'disabled', 'device is disabled', true, clientId)

  const keepalive = keepaliveRefusal(fields.keepalive, deps.maxKeepaliveS, clientId)
  if (keepalive) return keepalive
  const device: DeviceIdentity = { deviceId: login.deviceId, buildingId: login.buildingId }
  const willProblem = checkWill(fields.will, device)
  if (willProblem) return refuse(ConnackCode.NOT_AUTHORIZED, willProblem.reason, willProblem.detail, true, clientId)
  return { ok: true, device }
}

/**
 * The protocol requires every device to set its last will [MQTT-3.1.2-8]:
 * its own status topic, retained, QoS 0 or 1, payload LAST_WILL_PAYLOAD (see
 * protocol/status-reasons.ts for why no variant is accepted).
 */
export function checkWill (
  will: ConnectFields['will'],
  device: DeviceIdentity,
): { reason: 'will_missing' | 'will_invalid'; detail: string } | undefined {
  if (!will) return { reason: 'will_missing', detail: 'a last will on the device status topic is required' }
  const expected = deviceTopic(device.buildingId, device.deviceId, 'status')
  if (will.topic !== expected) return { reason: 'will_invalid', detail: `will topic must be ${expected}` }
  if (will.qos > UPLINK_DELIVERY.status.maxQos) return { reason: 'will_invalid', detail: 'will QoS must be 0 or 1' }
  if (!will.retain) return { reason: 'will_invalid', detail: 'will must be retained' }
  const payloadProblem = lastWillProblem(will.payload)
  if (payloadProblem !== undefined) return { reason: 'will_invalid', detail: `will payload ${payloadProblem}` }
  return undefined
}

const SECRET_HASH = /^sha256:([0-9a-fA-F]{64})$/
const NO_HASH = Buffer.alloc(32)

/** Constant-time comparison of sha256(password) with `sha256:<hex>`; false for a malformed hash. */
export function secretMatches (secretHash: string | undefined, password: Buffer): boolean {
  const actual = createHash('sha256').update(password).digest()
  const m = secretHash === undefined ? null : SECRET_HASH.exec(secretHash)
  const expected = m ? Buffer.from(m[1]!, 'hex') : NO_HASH
  return timingSafeEqual(actual, expected) && m !== null
}

/** Client ids come from the wire: keep log lines short. */
function clip (s: string | undefined): string | undefined {
  return s === undefined || s.length <= 80 ? s : `${s.slice(0, 79)}…`
}
