// Fixtures for the alert tests: two jurisdictions, two landlords, a building
// each (plus one of landlord B in the other jurisdiction), and an actor per role.

import { afterAll, beforeAll } from 'vitest'
import { openTestDatabase, type DatabaseKind, type TestDatabase } from '../../test/support/databases.ts'
import { says } from '../../contract/alert-wording.ts'
import type { AlertCandidate } from '../pipeline/model.ts'
import type { Actor } from '../registry/access.ts'
import type { Queryable } from '../store/database.ts'
import { AlertService } from './alert-service.ts'

export interface AlertWorld {
  admin: Actor
  landlordA: Actor
  landlordB: Actor
  gridWorker: Actor
  police: Actor
  policeOther: Actor
  vendor: Actor
  /** Landlord A, jurisdiction 1. */
  bA: string
  /** Landlord B, jurisdiction 1. */
  bB: string
  /** Landlord B, jurisdiction 2. */
  bC: string
}

const AREAS: Array<[string, string | null, string, string]> = [
  ['d1', null, 'district', '/d1/'], ['s1', 'd1', 'street', '/d1/s1/'], ['c1', 's1', 'community', '/d1/s1/c1/'], ['g1', 'c1', 'grid', '/d1/s1/c1/g1/'],
  ['d2', null, 'district', '/d2/'], ['s2', 'd2', 'street', '/d2/s2/'], ['c2', 's2', 'community', '/d2/s2/c2/'], ['g2', 'c2', 'grid', '/d2/s2/c2/g2/'],
]

/** Seeds the world; `prefix` keeps several worlds apart in one database. */
export async function seedAlertWorld (db: Queryable, prefix = 'w'): Promise<AlertWorld> {
  const id = (s: string): string => `${prefix}-${s}`
  const path = (p: string): string => p.replace(/\/([a-z0-9]+)/g, (_m, x: string) => `/${id(x)}`)
  for (const [a, parent, kind, p] of AREAS) {
    await db.query('insert into areas (id, parent_id, kind, name, path) values ($1, $2, $3, $4, $5)',
      [id(a), parent === null ? null : id(parent), kind, a, path(p)])
  }
  const user = async (name: string, role: Actor['role'], area?: string): Promise<Actor> => {
    await db.query(`insert into users (id, username, display_name, role, area_id, organisation, password_hash)
      values ($1, $1, $1, $2, $3, $4, 'x')`, [id(name), role, area === undefined ? null : id(area), role === 'vendor' ? 'Acme' : null])
    const actor: Actor = { id: id(name), role, username: id(name) }
    if (area !== undefined) actor.areaPath = path(AREAS.find((x) => x[0] === area)![3])
    return actor
  }
  const world: AlertWorld = {
    admin: await user('admin', 'admin'),
    landlordA: await user('landlord-a', 'landlord'),
    landlordB: await user('landlord-b', 'landlord'),
    gridWorker: await user('grid', 'grid_worker', 'c1'),
    police: await user('police', 'police', 's1'),
    policeOther: await user('police-2', 'police', 's2'),
    vendor: await user('vendor', 'vendor'),
    bA: id('bA'), bB: id('bB'), bC: id('bC'),
  }
  const building = async (b: string, grid: string, landlord: Actor): Promise<void> => {
    await db.query(`insert into buildings (id, grid_id, area_path, landlord_id, name, address) values ($1, $2, $3, $4, $1, 'addr')`,
      [b, id(grid), path(AREAS.find((x) => x[0] === grid)![3]), landlord.id])
    await db.query('insert into building_vendors (building_id, vendor_id, granted_by) values ($1, $2, $3)', [b, world.vendor.id, world.admin.id])
  }
  await building(world.bA, 'g1', world.landlordA)
  await building(world.bB, 'g1', world.landlordB)
  await building(world.bC, 'g2', world.landlordB)
  return world
}

let counter = 0

/** A candidate with sensible defaults; `dedupKey` defaults to a door_forced key of the building and door. */
export function candidate (buildingId: string, over: Partial<AlertCandidate> = {}): AlertCandidate {
  counter++
  const door = over.door ?? 'main'
  return {
    type: 'door_forced',
    severity: 'major',
    dedupKey: `door_forced:${buildingId}:${door}`,
    buildingId,
    door,
    deviceId: 'dev-1',
    evidence: [`dev-1/e-${counter}`],
    ...says('door_forced.forced', { door }),
    at: Date.parse('2026-03-01T10:00:00Z') + counter * 1000,
    ...over,
  }
}

/** A database of `kind` with the world seeded and an alert service on it, for the tests of one describe block. */
export interface AlertFixture { t: TestDatabase; w: AlertWorld; alerts: AlertService }

/** Opens and seeds before the block's tests, closes after them; the fields are set once beforeAll has run. */
export function useAlertWorld (kind: DatabaseKind): AlertFixture {
  const f = {} as AlertFixture
  beforeAll(async () => {
    f.t = await openTestDatabase(kind)
    f.w = await seedAlertWorld(f.t.db)
    f.alerts = new AlertService({ db: f.t.db })
  })
  afterAll(async () => { f.alerts?.close(); await f.t?.dispose() })
  return f
}
