// District -> street -> community -> grid. Areas give grid workers and police
// their jurisdiction and every building its place.

import type { Area } from '../../contract/schemas/registry.ts'
import { AREA_KINDS, type AreaKind } from '../../contract/vocabulary.ts'
import { Errors } from '../errors.ts'
import { sqlState, UNIQUE_VIOLATION } from '../store/database.ts'
import type { Actor } from './access.ts'
import { iso, newId, type RegistryContext } from './context.ts'

export { AREA_KINDS, type AreaKind }
// As the API shows it (contract/schemas/registry.ts).
export type { Area }

interface AreaRow { id: string; parent_id: string | null; kind: AreaKind; name: string; path: string; created_at: Date }

const toArea = (r: AreaRow): Area => ({ id: r.id, parentId: r.parent_id, kind: r.kind, name: r.name, path: r.path, createdAt: iso(r.created_at) })

export class Areas {
  constructor (private readonly ctx: RegistryContext) {}

  async create (actor: Actor, input: { id?: string; parentId?: string | null; kind: AreaKind; name: string }): Promise<Area> {
    if (actor.role !== 'admin') throw new Errors.Forbidden('only administrators create areas')
    const level = AREA_KINDS.indexOf(input.kind)
    let parentPath = '/'
    if (level === 0) {
      if (input.parentId != null) throw new Errors.BadRequest('a district has no parent area')
    } else {
      if (input.parentId == null) throw new Errors.BadRequest(`a ${input.kind} needs a parent ${AREA_KINDS[level - 1]}`)
      const parent = await this.get(input.parentId)
      if (parent.kind !== AREA_KINDS[level - 1]) {
        throw new Errors.BadRequest(`the parent of a ${input.kind} must be a ${AREA_KINDS[level - 1]}, not a ${parent.kind}`)
      }
      parentPath = parent.path
    }
    const id = input.id ?? newId(input.kind.slice(0, 1))
    try {
      const r = await this.ctx.db.query<AreaRow>(
        'insert into areas (id, parent_id, kind, name, path) values ($1, $2, $3, $4, $5) returning *',
        [id, input.parentId ?? null, input.kind, input.name, `${parentPath}${id}/`],
      )
      return toArea(r.rows[0]!)
    } catch (err) {
      if (sqlState(err) === UNIQUE_VIOLATION) throw new Errors.Conflict(`area ${id} already exists`)
      throw err
    }
  }

  async get (id: string): Promise<Area> {
    const r = await this.ctx.db.query<AreaRow>('select * from areas where id = $1', [id])
    if (r.rows.length === 0) throw new Errors.NotFound(`area ${id}`)
    return toArea(r.rows[0]!)
  }

  /** Areas an actor may see: all for admins, landlords and vendors (names only); their subtree for area roles. */
  async list (actor: Actor): Promise<Area[]> {
    const scoped = actor.areaPath !== undefined && (actor.role === 'grid_worker' || actor.role === 'police')
    const r = scoped
      ? await this.ctx.db.query<AreaRow>('select * from areas where left(path, length($1::text)) = $1::text order by path', [actor.areaPath])
      : await this.ctx.db.query<AreaRow>('select * from areas order by path')
    return r.rows.map(toArea)
  }
}
