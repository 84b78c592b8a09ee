// Who may do what, where. One table of grants; every registry read and write
// goes through `can` (one building) or `buildingScope` (a list query), so a
// landlord never sees another landlord's building, tenants or devices.

export { ROLES, type Role } from '../../contract/vocabulary.ts'
import type { Role } from '../../contract/vocabulary.ts'

/** The person (or the platform itself) acting. */
export interface Actor {
  id: string
  role: Role
  username: string
  /** Jurisdiction path ('/d/s/c/g/') of grid workers and police. */
  areaPath?: string
  /** Client address, for the audit log. */
  ip?: string
}

export type Permission =
  | 'building.read'
  | 'building.manage' // rooms, capacity, vendors, name/address
  | 'building.grade'
  | 'residents.read' // registrations, masked resident data, ledger
  | 'residents.write' // register, deregister, renew, credentials; confirm or dispute a move away
  | 'moves.decide' // decide a move away from the building its landlord disputed or left unanswered
  | 'national_id.reveal'
  | 'devices.read'
  | 'devices.provision' // provision, enable/disable, rotate secrets
  | 'devices.approve' // let a vendor's device receive the allow-list
  | 'patrols.record' // record patrols and re-inspections, read the patrollers' notes (docs/policy.md)

type Relation = 'landlord' | 'area' | 'vendor'

// Which relation to a building gives a role each permission. Admin has all.
const GRANTS: Record<Exclude<Role, 'admin'>, Partial<Record<Permission, Relation>>> = {
  landlord: {
    'building.read': 'landlord',
    'building.manage': 'landlord',
    'residents.read': 'landlord',
    'residents.write': 'landlord',
    'devices.read': 'landlord',
    'devices.provision': 'landlord',
    'devices.approve': 'landlord',
  },
  grid_worker: {
    'building.read': 'area',
    'residents.read': 'area',
    'residents.write': 'area',
    'moves.decide': 'area',
    'devices.read': 'area',
    'patrols.record': 'area',
  },
  police: {
    'building.read': 'area',
    'building.grade': 'area',
    'residents.read': 'area',
    'national_id.reveal': 'area',
    'moves.decide': 'area',
    'devices.read': 'area',
    'patrols.record': 'area',
  },
  vendor: {
    'building.read': 'vendor',
    'devices.read': 'vendor',
    'devices.provision': 'vendor',
  },
}

/** What a permission check needs to know about a building. */
export interface BuildingRef {
  landlord_id: string | null
  area_path: string
  /** Vendor ids allowed on the building (only needed for vendor actors). */
  vendor_ids?: readonly string[]
}

export function can (actor: Actor, permission: Permission, building: BuildingRef): boolean {
  if (actor.role === 'admin') return true
  const relation = GRANTS[actor.role][permission]
  switch (relation) {
    case 'landlord': return building.landlord_id === actor.id
    case 'area': return actor.areaPath !== undefined && building.area_path.startsWith(actor.areaPath)
    case 'vendor': return building.vendor_ids?.includes(actor.id) ?? false
    default: return false
  }
}

/** True when the role has the permission on some building at all. */
export function roleHas (role: Role, permission: Permission): boolean {
  return role === 'admin' || GRANTS[role][permission] !== undefined
}

/**
 * A SQL condition on the buildings table (alias `alias`) selecting the
 * buildings where `actor` holds `permission`. Appends its parameters to `params`.
 */
export function buildingScope (actor: Actor, permission: Permission, alias: string, params: unknown[]): string {
  if (actor.role === 'admin') return 'true'
  const relation = GRANTS[actor.role][permission]
  switch (relation) {
    case 'landlord':
      params.push(actor.id)
      return `${alias}.landlord_id = $${params.length}`
    case 'area':
      if (actor.areaPath === undefined) return 'false'
      // A prefix test without LIKE: ids may contain `_`, a LIKE wildcard.
      params.push(actor.areaPath)
      return `left(${alias}.area_path, length($${params.length}::text)) = $${params.length}::text`
    case 'vendor':
      params.push(actor.id)
      return `exists (select 1 from building_vendors bv where bv.building_id = ${alias}.id and bv.vendor_id = $${params.length})`
    default:
      return 'false'
  }
}
