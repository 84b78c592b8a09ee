// Import of buildings, rooms and registrations from another department's
// file (CSV, XLSX, JSON), all or nothing: every row is checked, then applied
// in one transaction, each row under its own savepoint so that a row the
// registry refuses is reported and the rows after it are still tried; when
// any row has an error, or for a dry run, the transaction is rolled back and
// nothing at all is changed. Rows are matched by their stable keys
// (exchange-columns.ts): what exists and is the same is `unchanged`, so a
// second import of the same file changes nothing. The registry's own
// operations do the work (ledger, audit, allow-lists); what they would tell
// listeners waits for the commit.

import { IMPORTABLE_DATASETS, type ExchangeDataset, type ExchangeRowError, type ImportReport } from '../../contract/routes/exchange-routes.ts'
import { IMPORT_MAX_ROWS } from '../../contract/routes/landlord-routes.ts'
import { Errors, isAppError } from '../errors.ts'
import type { Actor } from '../registry/access.ts'
import { writeAudit } from '../registry/audit-log.ts'
import { Buildings } from '../registry/buildings.ts'
import { RegistryEvents, type RegistryContext, type RegistryListener } from '../registry/context.ts'
import { Registrations } from '../registry/registrations.ts'
import { registerInput } from '../registry/tenant-import.ts'
import { mapHeaders, parseTenantRow, text, type Cell, type ParsedTenant, type RowContext } from '../registry/tenant-columns.ts'
import type { Database, Queryable } from '../store/database.ts'
import { importColumns, parseBuildingRow, parseRoomRow, rowKey, type BuildingInput, type RoomInput } from './exchange-columns.ts'

type Importable = (typeof IMPORTABLE_DATASETS)[number]
type Outcome = 'created' | 'updated' | 'unchanged'
type Parsed = { dataset: 'buildings'; v: BuildingInput } | { dataset: 'rooms'; v: RoomInput } | { dataset: 'registrations'; v: ParsedTenant & { buildingId: string } }
interface Row { row: number; parsed: Parsed | null; errors: ExchangeRowError[] }

/** Thrown inside the transaction to roll it back once the report is made. */
class RolledBack extends Error {}

/** Listeners' notifications held back until the commit (and dropped on a rollback). */
class HeldEvents extends RegistryEvents {
  readonly held: Array<[keyof RegistryListener, unknown[]]> = []
  override emit<K extends keyof RegistryListener> (name: K, ...args: Parameters<NonNullable<RegistryListener[K]>>): void {
    this.held.push([name, args])
  }
}

/** The registry's context bound to one transaction: its operations' own transactions run inside it. */
function boundContext (ctx: RegistryContext, tx: Queryable, events: RegistryEvents): RegistryContext {
  const db: Database = {
    kind: ctx.db.kind,
    query: async (sql, params) => tx.query(sql, params),
    exec: async (sql) => tx.exec(sql),
    transaction: async (fn) => fn(tx),
    close: async () => {},
  }
  return { ...ctx, db, events }
}

const isBlank = (cells: readonly Cell[]): boolean => cells.every((c) => text(c) === '')

export class ExchangeImports {
  constructor (private readonly ctx: RegistryContext) {}

  /** Administrators only: an import writes across landlords and jurisdictions. */
  async run (actor: Actor, dataset: ExchangeDataset, all: Cell[][], o: { dryRun: boolean }): Promise<ImportReport> {
    if (actor.role !== 'admin') throw new Errors.Forbidden('only administrators import data from other departments (police export; landlords import tenants)')
    if (!(IMPORTABLE_DATASETS as readonly string[]).includes(dataset)) {
      throw new Errors.BadRequest('residents are imported with their registrations (POST /exchange/registrations/import): a person is in the registry through a stay')
    }
    const ds = dataset as Importable
    const headerAt = all.findIndex((r) => !isBlank(r))
    if (headerAt < 0) throw new Errors.BadRequest('the file is empty: it needs a header row (docs/api.md#data-exchange)')
    const { columns, missing } = mapHeaders(all[headerAt]!, importColumns(ds))
    if (missing.length > 0) throw new Errors.BadRequest(`the header row lacks the column(s) ${missing.join(', ')}`)
    const data = all.slice(headerAt + 1).map((cells, i) => ({ cells, row: headerAt + 2 + i })).filter((r) => !isBlank(r.cells))
    if (data.length === 0) throw new Errors.BadRequest('the file has a header row and no data')
    if (data.length > IMPORT_MAX_ROWS) throw new Errors.BadRequest(`at most ${IMPORT_MAX_ROWS} rows per import; this file has ${data.length}`)

    const rows = await this.parse(ds, data, columns)
    const report = (applied: boolean, outcomes: Map<number, Outcome>): ImportReport => {
      const count = (x: Outcome): number => [...outcomes.values()].filter((v) => v === x).length
      return {
        dataset: ds, applied, dryRun: o.dryRun,
        created: count('created'), updated: count('updated'), unchanged: count('unchanged'), invalid: rows.filter((r) => r.errors.length > 0).length,
        rows: rows.map((r) => ({
          row: r.row, key: r.parsed === null ? keyOfInvalid(ds, r, data, columns) : rowKey(ds, r.parsed.v), outcome: r.errors.length > 0 ? null : outcomes.get(r.row) ?? null, errors: r.errors,
        })),
      }
    }
    const events = new HeldEvents()
    const outcomes = new Map<number, Outcome>()
    let result: ImportReport
    try {
      result = await this.ctx.db.transaction(async (tx) => {
        const bound = boundContext(this.ctx, tx, events)
        const ops = { buildings: new Buildings(bound), registrations: new Registrations(bound) }
        for (const r of rows) {
          if (r.parsed === null) continue
          await tx.query('savepoint exchange_row')
          try {
            outcomes.set(r.row, await this.apply(actor, tx, ops, r.parsed))
            await tx.query('release savepoint exchange_row')
          } catch (err) {
            if (!isAppError(err)) throw err
            await tx.query('rollback to savepoint exchange_row')
            r.errors.push({ row: r.row, column: null, code: err.code, message: err.message })
          }
        }
        const out = report(false, outcomes)
        if (o.dryRun || out.invalid > 0) throw new RolledBack()
        await writeAudit(tx, actor, 'exchange.imported', { type: 'dataset', id: ds },
          { rows: rows.length, created: out.created, updated: out.updated, unchanged: out.unchanged })
        return { ...out, applied: true }
      })
    } catch (err) {
      if (!(err instanceof RolledBack)) throw err
      result = report(false, outcomes)
      await writeAudit(this.ctx.db, actor, 'exchange.import_refused', { type: 'dataset', id: ds }, { rows: rows.length, invalid: result.invalid, dryRun: o.dryRun })
      return result
    }
    for (const [name, args] of events.held) (this.ctx.events.emit as (n: string, ...a: unknown[]) => void)(name, ...args)
    return result
  }

  /** Every row read and checked against the registry as it is (buildings and rooms the rows refer to). */
  private async parse (ds: Importable, data: Array<{ cells: Cell[]; row: number }>, columns: Partial<Record<string, number>>): Promise<Row[]> {
    const seen = new Set<string>()
    if (ds === 'buildings') {
      return data.map(({ cells, row }) => {
        const p = parseBuildingRow(cells, row, columns, seen)
        return { row, parsed: p.input === null ? null : { dataset: ds, v: p.input }, errors: p.errors }
      })
    }
    const ids = [...new Set(data.map((d) => text(columns.buildingId === undefined ? undefined : d.cells[columns.buildingId])).filter((x) => x !== ''))]
    const found = await this.ctx.db.query<{ id: string; time_zone: string }>('select id, time_zone from buildings where id = any($1) and removed_at is null', [ids])
    const zones = new Map(found.rows.map((b) => [b.id, b.time_zone]))
    const unknown = (row: number): ExchangeRowError => ({ row, column: 'buildingId', code: 'unknown_building', message: null })
    if (ds === 'rooms') {
      return data.map(({ cells, row }) => {
        const p = parseRoomRow(cells, row, columns, seen)
        const errors = p.input !== null && !zones.has(p.input.buildingId) ? [unknown(row)] : p.errors
        return { row, parsed: p.input === null || errors.length > 0 ? null : { dataset: ds, v: p.input }, errors }
      })
    }
    const rooms = await this.ctx.db.query<{ id: string; number: string; building_id: string }>('select id, number, building_id from rooms where building_id = any($1)', [ids])
    const shared = { now: this.ctx.now(), seenIds: new Set<string>(), seenCards: new Set<string>() }
    const contexts = new Map<string, RowContext>([...zones].map(([id, timeZone]) => [id, {
      ...shared, timeZone, rooms: new Map(rooms.rows.filter((r) => r.building_id === id).map((r) => [r.number, r.id])),
    }]))
    return data.map(({ cells, row }) => {
      const buildingId = text(columns.buildingId === undefined ? undefined : cells[columns.buildingId])
      const rowCtx = contexts.get(buildingId)
      if (rowCtx === undefined) return { row, parsed: null, errors: [buildingId === '' ? { row, column: 'buildingId', code: 'required', message: null } : unknown(row)] }
      const p = parseTenantRow(cells, row, columns, rowCtx)
      const errors = p.errors.map((e) => ({ ...e, message: null }))
      return { row, parsed: p.tenant === null ? null : { dataset: ds, v: { ...p.tenant, buildingId } }, errors }
    })
  }

  /** One row: found by its key and left, changed, or made. */
  private async apply (actor: Actor, tx: Queryable, ops: { buildings: Buildings; registrations: Registrations }, p: Parsed): Promise<Outcome> {
    if (p.dataset === 'buildings') {
      const b = p.v
      const found = await tx.query<{ grid_id: string; landlord: string | null; name: string; address: string; time_zone: string; removed_at: Date | null }>(
        `select b.grid_id, u.username as landlord, b.name, b.address, b.time_zone, b.removed_at from buildings b left join users u on u.id = b.landlord_id where b.id = $1`, [b.id])
      const cur = found.rows[0]
      let landlordId: string | undefined
      if (b.landlord !== null) {
        const l = await tx.query<{ id: string }>(`select id from users where username = $1 and role = 'landlord'`, [b.landlord])
        if (l.rows[0] === undefined) throw new Errors.BadRequest(`landlord ${b.landlord}: no landlord account by that user name`)
        landlordId = l.rows[0].id
      }
      if (cur === undefined) {
        await ops.buildings.create(actor, {
          id: b.id, gridId: b.gridId, name: b.name, address: b.address, ...(landlordId === undefined ? {} : { landlordId }), ...(b.timeZone === null ? {} : { timeZone: b.timeZone }),
        })
        return 'created'
      }
      if (cur.removed_at !== null) throw new Errors.Conflict(`building ${b.id} was removed`)
      if (cur.grid_id !== b.gridId) throw new Errors.Conflict(`building ${b.id} is in grid ${cur.grid_id}; an import does not move it`)
      if (b.landlord !== null && cur.landlord !== b.landlord) throw new Errors.Conflict(`building ${b.id} has another landlord; an import does not hand it over`)
      const patch: { name?: string; address?: string; timeZone?: string } = {}
      if (cur.name !== b.name) patch.name = b.name
      if (cur.address !== b.address) patch.address = b.address
      if (b.timeZone !== null && cur.time_zone !== b.timeZone) patch.timeZone = b.timeZone
      if (Object.keys(patch).length === 0) return 'unchanged'
      await ops.buildings.update(actor, b.id, patch)
      return 'updated'
    }
    if (p.dataset === 'rooms') {
      const r = p.v
      const found = await tx.query<{ id: string; capacity: number }>('select id, capacity from rooms where building_id = $1 and number = $2', [r.buildingId, r.number])
      const cur = found.rows[0]
      if (cur === undefined) {
        await ops.buildings.createRoom(actor, r.buildingId, { number: r.number, capacity: r.capacity })
        return 'created'
      }
      if (cur.capacity === r.capacity) return 'unchanged'
      await ops.buildings.updateRoom(actor, cur.id, { capacity: r.capacity })
      return 'updated'
    }
    const t = p.v
    // The number is normalised already (parseTenantRow): the person is found by its keyed hash, as the registry finds them.
    const hash = this.ctx.vault.hash(t.idType, t.idNumber)
    const found = await tx.query<{ id: string; permit_valid_until: string | null; lease_until: string | null }>(
      `select g.id, g.permit_valid_until::text as permit_valid_until, g.lease_until::text as lease_until
         from registrations g join residents p on p.id = g.resident_id
        where p.id_hash = $1 and g.room_id = $2 and g.status in ('active', 'pending')`, [hash, t.roomId])
    const cur = found.rows[0]
    if (cur === undefined) {
      await ops.registrations.register(actor, t.roomId, registerInput(t))
      return 'created'
    }
    const permit = t.permitValidUntil ?? cur.permit_valid_until
    const changed = (t.permitValidUntil !== null && t.permitValidUntil !== cur.permit_valid_until) || (t.leaseUntil !== null && t.leaseUntil !== cur.lease_until)
    if (!changed || permit === null) return 'unchanged'
    await ops.registrations.renew(actor, cur.id, { permitValidUntil: permit, ...(t.leaseUntil === null ? {} : { leaseUntil: t.leaseUntil }) })
    return 'updated'
  }
}

/** The key of a row that could not be read whole: what of it there is (never an ID number). */
function keyOfInvalid (ds: Importable, r: Row, data: Array<{ cells: Cell[]; row: number }>, columns: Partial<Record<string, number>>): string {
  const cells = data.find((d) => d.row === r.row)?.cells ?? []
  const get = (k: string): string => text(columns[k] === undefined ? undefined : cells[columns[k]])
  if (ds === 'buildings') return get('buildingId')
  if (ds === 'rooms') return `${get('buildingId')}/${get('number')}`
  return `${get('buildingId')}/${get('room')}`
}
