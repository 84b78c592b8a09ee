// What every registry module is built from, and the change notifications the
// registry sends after a commit (allow-list pushes to readers, device
// disconnects, and later the pipeline's in-memory view).

import { randomBytes } from 'node:crypto'
import type { AllowEntry } from '../../protocol/index.ts'
import type { DeviceLogin } from '../broker/ports.ts'
import { Errors } from '../errors.ts'
import type { CredentialSecrets } from '../privacy/credential-secrets.ts'
import type { IdVault } from '../privacy/id-vault.ts'
import type { Database } from '../store/database.ts'
import type { Actor } from './access.ts'

/**
 * An allow-list entry before it is digested for one reader. `value` is what
 * the digest is computed over (card number upper case, QR token, face
 * reference), except for a PIN: there it is still sealed, and only the
 * allow-list pusher opens it, one entry at a time.
 */
export type ListedCredential = Omit<AllowEntry, 'digest'> & { value: string }

export interface AllowlistChange {
  buildingId: string
  version: number
  baseVersion: number
  upsert: ListedCredential[]
  remove: string[]
}

export interface RegistryListener {
  /** A building's allow-list moved from `baseVersion` to `version`. */
  allowlistChanged? (change: AllowlistChange): void
  /**
   * A device's login (building, secret hash, enabled) as just committed: provisioned, enabled, disabled or
   * rotated. Emitted before `deviceCredentialsChanged`, so the broker's directory is current when the device
   * is disconnected and tries again.
   */
  deviceLoginChanged? (login: DeviceLogin): void
  /** A device was disabled or had its secret rotated (`cause`): its live session must end. */
  deviceCredentialsChanged? (deviceId: string, cause: 'disabled' | 'secret_rotated'): void
  /** The landlord or an administrator approved a device: it may now receive its allow-list. */
  deviceApproved? (device: { deviceId: string; buildingId: string }): void
  /** Any registration, credential, room or building change (for caches). */
  registryChanged? (what: { kind: string; buildingId: string; id: string }): void
}

export class RegistryEvents {
  private readonly listeners = new Set<RegistryListener>()

  subscribe (listener: RegistryListener): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  /** Calls every listener; a failing listener is reported, never rethrown. */
  emit<K extends keyof RegistryListener> (
    name: K,
    ...args: Parameters<NonNullable<RegistryListener[K]>>
  ): void {
    for (const l of this.listeners) {
      const fn = l[name] as ((...a: unknown[]) => void) | undefined
      try {
        fn?.apply(l, args)
      } catch (err) {
        this.onListenerError(err)
      }
    }
  }

  onListenerError: (err: unknown) => void = () => {}
}

/** Tells listeners, after the commit, that a building's allow-list moved (readers to update, caches to reload). */
export function announceAllowlist (events: RegistryEvents, change: AllowlistChange): void {
  if (change.upsert.length > 0 || change.remove.length > 0) events.emit('allowlistChanged', change)
  events.emit('registryChanged', { kind: 'allowlist', buildingId: change.buildingId, id: String(change.version) })
}

export interface RegistryContext {
  db: Database
  vault: IdVault
  /** Allow-list keys of readers and PINs, sealed under the data key. */
  secrets: CredentialSecrets
  now: () => Date
  events: RegistryEvents
  /** Hours the side of a stay a person leaves has to confirm or dispute the move before the jurisdiction decides. */
  moveConfirmHours: number
}

/** A new id matching the protocol id pattern: `<prefix>-<12 random base64url chars>`. */
export function newId (prefix: string): string {
  return `${prefix}-${randomBytes(9).toString('base64url')}`
}

/**
 * The id of a new building, room or device. Ids are one namespace across all
 * landlords and jurisdictions, so "that id already exists" would tell a caller
 * about something outside their scope. Only administrators, who see
 * everything, choose ids; anyone else gets a generated one, and a chosen id
 * from them is refused whether it exists or not: the answer never depends on
 * what lies outside their scope.
 */
export function idForNew (actor: Actor, requested: string | undefined, prefix: string, what: string): string {
  if (requested === undefined) return newId(prefix)
  if (actor.role !== 'admin') {
    throw new Errors.Forbidden(`only administrators choose ${what} ids; leave id out and use the id in the answer`)
  }
  return requested
}

export function iso (d: Date | string): string
export function iso (d: Date | string | null | undefined): string | null
export function iso (d: Date | string | null | undefined): string | null {
  if (d === null || d === undefined) return null
  return typeof d === 'string' ? new Date(d).toISOString() : d.toISOString()
}
