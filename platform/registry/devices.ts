// Readers and cameras: provisioned through the API with a secret shown once
// (stored only as a hash) and, for readers, an allow-list key shown once
// (stored sealed); enabled or disabled, secrets and keys rotated. A device a
// vendor provisions waits for the landlord's (or an administrator's) approval
// before it receives an allow-list or door commands. An approval is of the
// device and its allow-list key: a vendor's rotation that keeps the key keeps
// it; one that issues a new key withdraws it, and the last approval and the
// withdrawal stay on the device (the ledger has every step).

import { createHash, randomBytes } from 'node:crypto'
import { isValidId } from '../../protocol/index.ts'
import type { DeviceDirectory, DeviceLogin } from '../broker/ports.ts'
import { Errors } from '../errors.ts'
import { sqlState, UNIQUE_VIOLATION, type Queryable } from '../store/database.ts'
import { buildingScope, type Actor } from './access.ts'
import { loadBuilding, notFoundAs } from './buildings.ts'
import { idForNew, iso, type RegistryContext } from './context.ts'
import { writeAudit } from './audit-log.ts'
import { appendLedger } from './ledger.ts'
import { LOGIN_COLUMNS, toLogin, type LoginRow } from './device-logins.ts'

import type { AllowlistStatus, DeviceKind, KeyRotation, ReaderFacing } from '../../contract/vocabulary.ts'

export { DEVICE_KINDS, KEY_ROTATIONS, type AllowlistStatus, type DeviceKind, type KeyRotation } from '../../contract/vocabulary.ts'

/** A reader that has served its building (approved now or before) and cannot receive its list now: why not. */
export interface WithheldReader {
  deviceId: string
  buildingId: string
  door: string
  why: 'awaiting_approval' | 'needs_key'
}

export interface Device {
  id: string
  buildingId: string
  door: string
  kind: DeviceKind
  /** Which side of its door a reader reads; null for a camera. */
  faces: ReaderFacing | null
  vendor: string
  model: string
  enabled: boolean
  approved: boolean
  /** The latest approval, kept when a rotation withdraws it. */
  approvedBy: string | null
  approvedAt: string | null
  /** Set while a vendor's rotation (a new allow-list key) has withdrawn the approval; cleared by the next one. */
  approvalWithdrawnBy: string | null
  approvalWithdrawnAt: string | null
  allowlist: AllowlistStatus
  provisionedBy: string
  createdAt: string
  secretRotatedAt: string | null
}

/** What provisioning and rotation hand out once: the secret and, for a reader, its allow-list key. */
export interface IssuedDevice {
  device: Device
  secret: string
  /** 64 hex digits; null for cameras. */
  allowlistKey: string | null
}

/** A reader that may receive its building's allow-list, with its key. */
export interface AllowlistRecipient {
  deviceId: string
  buildingId: string
  key: Buffer
}

export interface ProvisionInput {
  id?: string
  door: string
  kind: DeviceKind
  /** Readers only; `both` when not given. */
  faces?: ReaderFacing
  vendor?: string
  model: string
}

interface DeviceRow {
  id: string; building_id: string; door: string; kind: DeviceKind; faces: ReaderFacing | null; vendor: string; model: string; secret_hash: string
  enabled: boolean; provisioned_by: string; created_at: Date; secret_rotated_at: Date | null
  allowlist_key_sealed: string | null; approved: boolean; approved_by: string | null; approved_at: Date | null
  approval_withdrawn_by: string | null; approval_withdrawn_at: Date | null; disabled_by: string | null
}

/**
 * SQL over `devices`: approved now, or approved before and withdrawn by a rotation. Such a device has served its
 * building: its events are judged, and a reader of it that cannot receive its list is an alert.
 */
export const SERVED_SQL = '(approved or approved_at is not null)'

function allowlistStatus (r: DeviceRow): AllowlistStatus {
  if (r.kind !== 'reader') return 'none'
  if (!r.enabled) return 'disabled'
  if (!r.approved) return 'awaiting_approval'
  if (r.allowlist_key_sealed === null) return 'needs_key'
  return 'receives'
}

const toDevice = (r: DeviceRow): Device => ({
  id: r.id,
  buildingId: r.building_id,
  door: r.door,
  kind: r.kind,
  faces: r.faces,
  vendor: r.vendor,
  model: r.model,
  enabled: r.enabled,
  approved: r.approved,
  approvedBy: r.approved_by,
  approvedAt: iso(r.approved_at),
  approvalWithdrawnBy: r.approval_withdrawn_by,
  approvalWithdrawnAt: iso(r.approval_withdrawn_at),
  allowlist: allowlistStatus(r),
  provisionedBy: r.provisioned_by,
  createdAt: iso(r.created_at),
  secretRotatedAt: iso(r.secret_rotated_at),
})

/** `sha256:<hex>`: device secrets are 192 random bits, so a fast hash is enough to store them. */
export function hashDeviceSecret (secret: string): string {
  return `sha256:${createHash('sha256').update(secret, 'utf8').digest('hex')}`
}

const newSecret = (): string => randomBytes(24).toString('base64url')

const DISABLED_BY: Record<string, string> = {
  vendor: 'by a vendor of another organisation; only that organisation, the landlord or an administrator',
  landlord: 'by the landlord; only the landlord or an administrator',
  admin: 'by an administrator; only the landlord or an administrator',
}

/** Why a vendor may not enable device `id`, as far as the registry knows who disabled it. */
async function notYoursToEnable (db: Queryable, id: string): Promise<string> {
  const r = await db.query<{ role: string | null }>('select u.role from devices d left join users u on u.id = d.disabled_by where d.id = $1', [id])
  const role = r.rows[0]?.role ?? null
  const who = role === null
    ? 'before the platform recorded who disables devices; only the landlord or an administrator'
    : DISABLED_BY[role] ?? 'outside your organisation; only the landlord or an administrator'
  return `device ${id} was not disabled by your organisation: it was disabled ${who} can enable it`
}

export class Devices implements DeviceDirectory {
  constructor (private readonly ctx: RegistryContext) {}

  /**
   * Registers a device and returns it with its secret and (readers) allow-list key; neither can be shown again.
   * A vendor's device starts unapproved; one the landlord or an administrator provisions is approved at once.
   */
  async provision (actor: Actor, buildingId: string, input: ProvisionInput): Promise<IssuedDevice> {
    await loadBuilding(this.ctx.db, actor, buildingId, 'devices.provision')
    const id = idForNew(actor, input.id, 'd', 'device')
    if (!isValidId(id)) throw new Errors.BadRequest('device id must match ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$ (it is the MQTT client id)')
    if (!isValidId(input.door)) throw new Errors.BadRequest('door must match ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$')
    const vendor = actor.role === 'vendor' ? await this.organisationOf(actor) : input.vendor
    if (vendor === undefined || vendor.trim() === '') throw new Errors.BadRequest('vendor is required')
    if (input.kind !== 'reader' && input.faces !== undefined) throw new Errors.BadRequest('faces is for readers: a camera watches its door both ways')
    const faces = input.kind === 'reader' ? input.faces ?? 'both' : null
    const secret = newSecret()
    const secretHash = hashDeviceSecret(secret)
    const key = input.kind === 'reader' ? this.ctx.secrets.issueReaderKey() : null
    const approved = actor.role !== 'vendor'
    try {
      await this.ctx.db.transaction(async (tx) => {
        await tx.query(
          `insert into devices (id, building_id, door, kind, vendor, model, secret_hash, provisioned_by, allowlist_key_sealed, approved, approved_by, approved_at, faces)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
          [id, buildingId, input.door, input.kind, vendor, input.model, secretHash, actor.id, key?.sealed ?? null,
            approved, approved ? actor.id : null, approved ? this.ctx.now() : null, faces])
        await appendLedger(tx, actor, 'device.provisioned', { buildingId, deviceId: id }, { kind: input.kind, door: input.door, ...(faces === null ? {} : { faces }), vendor, model: input.model, approved })
      })
    } catch (err) {
      if (sqlState(err) === UNIQUE_VIOLATION) throw new Errors.Conflict(`device ${id} already exists`)
      throw err
    }
    this.ctx.events.emit('deviceLoginChanged', { deviceId: id, buildingId, secretHash, enabled: true })
    this.ctx.events.emit('registryChanged', { kind: 'device', buildingId, id })
    return { device: await this.get(actor, id), secret, allowlistKey: key?.text ?? null }
  }

  async get (actor: Actor, id: string): Promise<Device> {
    const row = await this.load(id)
    await notFoundAs(loadBuilding(this.ctx.db, actor, row.building_id, 'devices.read'), `device ${id}`)
    return toDevice(row)
  }

  async list (actor: Actor, buildingId: string): Promise<Device[]> {
    await loadBuilding(this.ctx.db, actor, buildingId, 'devices.read')
    const r = await this.ctx.db.query<DeviceRow>('select * from devices where building_id = $1 order by id', [buildingId])
    return r.rows.map(toDevice)
  }

  /** Every device of every building in the actor's scope. */
  async listAll (actor: Actor): Promise<Device[]> {
    const params: unknown[] = []
    const r = await this.ctx.db.query<DeviceRow>(
      `select d.* from devices d join buildings b on b.id = d.building_id where ${buildingScope(actor, 'devices.read', 'b', params)} order by d.id`,
      params)
    return r.rows.map(toDevice)
  }

  /**
   * Disables a device (disconnected, logins refused) or enables it again. A vendor may enable only a device its own
   * organisation disabled: one the landlord, an administrator or another organisation disabled, or one disabled
   * before who disabled it was recorded, stays off until the landlord or an administrator enables it.
   */
  async setEnabled (actor: Actor, id: string, enabled: boolean): Promise<Device> {
    const row = await this.loadFor(actor, id)
    const vendorOrganisation = actor.role === 'vendor' ? await this.organisationOf(actor) : undefined
    const login = await this.ctx.db.transaction(async (tx) => {
      // One statement decides and writes: a disable committed after the vendor's read still holds. Who disabled
      // it is the first to: disabling a disabled device does not take it over.
      const updated = await tx.query<LoginRow>(
        `update devices set enabled = $2, disabled_by = case when $2 then null when enabled then $3 else disabled_by end
          where id = $1 and ($2 = false or not $5 or enabled
            or disabled_by in (select id from users where role = 'vendor' and organisation = $4::text))
          returning ${LOGIN_COLUMNS}`,
        [id, enabled, actor.id, vendorOrganisation ?? null, actor.role === 'vendor'])
      if (updated.rows.length === 0) throw new Errors.DisabledByLandlord(await notYoursToEnable(tx, id))
      await appendLedger(tx, actor, enabled ? 'device.enabled' : 'device.disabled', { buildingId: row.building_id, deviceId: id })
      return updated.rows[0]!
    })
    this.ctx.events.emit('deviceLoginChanged', toLogin(login))
    if (!enabled) this.ctx.events.emit('deviceCredentialsChanged', id, 'disabled')
    this.ctx.events.emit('registryChanged', { kind: 'device', buildingId: row.building_id, id })
    return this.get(actor, id)
  }

  /**
   * Issues a new secret and (readers) a new allow-list key, or keeps the reader's key (`keep`); the old secret
   * stops working at once and a connected device is disconnected. A vendor's rotation withdraws the approval when
   * it issues a new key, or when the device is another vendor's: who holds that secret and key has not been
   * approved. The last approval stays on the device beside the withdrawal, and the device stays judged.
   */
  async rotateSecret (actor: Actor, id: string, keyRotation: KeyRotation = 'new'): Promise<IssuedDevice> {
    const row = await this.loadFor(actor, id)
    const keep = keyRotation === 'keep' && row.kind === 'reader'
    if (keep && row.allowlist_key_sealed === null) {
      throw new Errors.BadRequest(`reader ${id} has no allow-list key to keep (provisioned before protocol revision 2); rotate with a new key`)
    }
    const secret = newSecret()
    const secretHash = hashDeviceSecret(secret)
    const key = row.kind === 'reader' && !keep ? this.ctx.secrets.issueReaderKey() : null
    const withdraws = actor.role === 'vendor' && (key !== null || (await this.organisationOf(actor)) !== row.vendor)
    const now = this.ctx.now()
    const { login } = await this.ctx.db.transaction(async (tx) => {
      const before = await tx.query<{ approved: boolean }>('select approved from devices where id = $1 for update', [id])
      const withdrawn = withdraws && before.rows[0]?.approved === true
      const updated = await tx.query<LoginRow>(
        `update devices set secret_hash = $2, secret_rotated_at = $3,
           allowlist_key_sealed = case when $6 then allowlist_key_sealed else $4 end,
           approved = approved and not $5,
           approval_withdrawn_by = case when $5 then $7 else approval_withdrawn_by end,
           approval_withdrawn_at = case when $5 then $3 else approval_withdrawn_at end
         where id = $1 returning ${LOGIN_COLUMNS}`,
        [id, secretHash, now, key?.sealed ?? null, withdrawn, keep, actor.id])
      const detail = {
        ...(row.kind === 'reader' ? { allowlistKey: keep ? 'kept' : 'new' } : {}),
        ...(withdrawn ? { approvalWithdrawn: true } : {}),
      }
      await appendLedger(tx, actor, 'device.secret_rotated', { buildingId: row.building_id, deviceId: id }, detail)
      return { login: updated.rows[0]!, withdrawn }
    })
    // The row as committed (not as read before): a concurrent disable and rotation both end up in the directory.
    this.ctx.events.emit('deviceLoginChanged', toLogin(login))
    this.ctx.events.emit('deviceCredentialsChanged', id, 'secret_rotated')
    this.ctx.events.emit('registryChanged', { kind: 'device', buildingId: row.building_id, id })
    return { device: await this.get(actor, id), secret, allowlistKey: key?.text ?? null }
  }

  /**
   * The landlord or an administrator lets a device receive the building's allow-list and door commands
   * (audited and in the ledger). Approving an approved device changes nothing.
   */
  async approve (actor: Actor, id: string): Promise<Device> {
    const row = await this.load(id)
    await notFoundAs(loadBuilding(this.ctx.db, actor, row.building_id, 'devices.approve'), `device ${id}`)
    if (row.approved) return toDevice(row)
    const approved = await this.ctx.db.transaction(async (tx) => {
      const r = await tx.query<{ id: string }>(
        `update devices set approved = true, approved_by = $2, approved_at = $3, approval_withdrawn_by = null, approval_withdrawn_at = null
          where id = $1 and not approved returning id`,
        [id, actor.id, this.ctx.now()])
      if (r.rows.length === 0) return false
      const again = row.approval_withdrawn_at === null ? {} : { previouslyApprovedBy: row.approved_by, withdrawnBy: row.approval_withdrawn_by }
      await appendLedger(tx, actor, 'device.approved', { buildingId: row.building_id, deviceId: id }, { provisionedBy: row.provisioned_by, vendor: row.vendor, ...again })
      await writeAudit(tx, actor, 'device.approved', { type: 'device', id }, { buildingId: row.building_id, provisionedBy: row.provisioned_by })
      return true
    })
    if (approved) {
      this.ctx.events.emit('registryChanged', { kind: 'device', buildingId: row.building_id, id })
      this.ctx.events.emit('deviceApproved', { deviceId: id, buildingId: row.building_id })
    }
    return this.get(actor, id)
  }

  /**
   * Deletes a device (its landlord, an administrator): its row goes, with its secret hash and allow-list key, so
   * it is disconnected and refused at its next login, and it is no longer in the building's allow-list
   * recipients or rules. Its past events stay in the event log until the event retention removes them, and its
   * ledger entries and alerts stay as history. Audited and in the ledger.
   */
  async remove (actor: Actor, id: string): Promise<void> {
    const row = await this.load(id)
    // Vendors (who may disable and re-key) and the jurisdiction see the device but may not delete it: 403.
    await notFoundAs(loadBuilding(this.ctx.db, actor, row.building_id, 'building.manage'), `device ${id}`)
    await this.ctx.db.transaction(async (tx) => {
      const deleted = await tx.query<{ id: string }>('delete from devices where id = $1 returning id', [id])
      if (deleted.rows.length === 0) throw new Errors.NotFound(`device ${id}`)
      const detail = { kind: row.kind, door: row.door, vendor: row.vendor, model: row.model }
      await appendLedger(tx, actor, 'device.removed', { buildingId: row.building_id, deviceId: id }, detail)
      await writeAudit(tx, actor, 'device.removed', { type: 'device', id }, { buildingId: row.building_id, ...detail })
    })
    // No secret matches an empty hash: refused at once, gone from the directory at its next reload.
    this.ctx.events.emit('deviceLoginChanged', { deviceId: id, buildingId: row.building_id, secretHash: '', enabled: false })
    this.ctx.events.emit('deviceCredentialsChanged', id, 'disabled')
    this.ctx.events.emit('registryChanged', { kind: 'device', buildingId: row.building_id, id })
  }

  /** DeviceDirectory straight from the database (the broker uses DeviceLogins, which keeps them in memory). */
  async find (deviceId: string): Promise<DeviceLogin | undefined> {
    const r = await this.ctx.db.query<LoginRow>(`select ${LOGIN_COLUMNS} from devices where id = $1`, [deviceId])
    const row = r.rows[0]
    return row === undefined ? undefined : toLogin(row)
  }

  /** Whether a device is approved (door commands wait for it). */
  async isApproved (deviceId: string): Promise<boolean> {
    const r = await this.ctx.db.query<{ approved: boolean }>('select approved from devices where id = $1', [deviceId])
    return r.rows[0]?.approved ?? false
  }

  /**
   * The reader, if it may receive its building's allow-list now (enabled, approved, with a key), with its key;
   * otherwise why not.
   */
  async allowlistRecipient (deviceId: string): Promise<AllowlistRecipient | { refused: AllowlistStatus }> {
    const r = await this.ctx.db.query<DeviceRow>('select * from devices where id = $1', [deviceId])
    const row = r.rows[0]
    if (row === undefined) return { refused: 'none' }
    const status = allowlistStatus(row)
    if (status !== 'receives' || row.allowlist_key_sealed === null) return { refused: status }
    return { deviceId: row.id, buildingId: row.building_id, key: this.ctx.secrets.openReaderKey(row.allowlist_key_sealed) }
  }

  /** Readers of a building that may receive its allow-list, with their keys (for deltas). */
  async allowlistRecipients (buildingId: string): Promise<AllowlistRecipient[]> {
    const r = await this.ctx.db.query<{ id: string; allowlist_key_sealed: string }>(
      `select id, allowlist_key_sealed from devices
        where building_id = $1 and kind = 'reader' and enabled and approved and allowlist_key_sealed is not null order by id`, [buildingId])
    return r.rows.map((x) => ({ deviceId: x.id, buildingId, key: this.ctx.secrets.openReaderKey(x.allowlist_key_sealed) }))
  }

  /**
   * Readers that have served their building, are enabled and cannot receive its allow-list now (approval
   * withdrawn, or no key): all of them, or the one asked for.
   */
  async withheldReaders (deviceId?: string): Promise<WithheldReader[]> {
    const r = await this.ctx.db.query<{ id: string; building_id: string; door: string; approved: boolean }>(
      `select id, building_id, door, approved from devices
        where kind = 'reader' and enabled and ${SERVED_SQL} and (not approved or allowlist_key_sealed is null)
          ${deviceId === undefined ? '' : 'and id = $1'} order by id`, deviceId === undefined ? [] : [deviceId])
    return r.rows.map((x) => ({ deviceId: x.id, buildingId: x.building_id, door: x.door, why: x.approved ? 'needs_key' : 'awaiting_approval' }))
  }

  private async organisationOf (actor: Actor): Promise<string | undefined> {
    const org = await this.ctx.db.query<{ organisation: string | null }>('select organisation from users where id = $1', [actor.id])
    return org.rows[0]?.organisation ?? undefined
  }

  private async loadFor (actor: Actor, id: string): Promise<DeviceRow> {
    const row = await this.load(id)
    await notFoundAs(loadBuilding(this.ctx.db, actor, row.building_id, 'devices.provision'), `device ${id}`)
    return row
  }

  private async load (id: string): Promise<DeviceRow> {
    const r = await this.ctx.db.query<DeviceRow>('select * from devices where id = $1', [id])
    if (r.rows.length === 0) throw new Errors.NotFound(`device ${id}`)
    return r.rows[0]!
  }
}
