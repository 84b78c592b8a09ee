// Areas by id, for pages that show an area by its name, and the choices of an
// area picker: every area in tree order, indented by its depth.

import type { Area } from '../../../../contract/schemas/registry.ts'
import type { AreaKind } from '../../../../contract/vocabulary.ts'
import { t } from '../../i18n/index.ts'

export function areaName (areas: Area[], id: string | null): string {
  if (id === null) return '—'
  return areas.find((a) => a.id === id)?.name ?? id
}

/** The chain of names from the district down to the area (`Chancheng District › Zumiao Street`). */
export function areaTrail (areas: Area[], id: string): string {
  const byId = new Map(areas.map((a) => [a.id, a]))
  const names: string[] = []
  for (let a = byId.get(id); a !== undefined; a = a.parentId === null ? undefined : byId.get(a.parentId)) names.unshift(a.name)
  return names.length === 0 ? id : names.join(' › ')
}

/** Areas sorted as a tree (parents before their children), with their depth. */
export function areaOptions (areas: Area[], kinds?: readonly AreaKind[]): Array<{ area: Area; depth: number; label: string }> {
  const sorted = [...areas].sort((a, b) => a.path.localeCompare(b.path))
  return sorted
    .filter((a) => kinds === undefined || kinds.includes(a.kind))
    .map((a) => {
      const depth = a.path.split('/').filter((p) => p !== '').length - 1
      return { area: a, depth, label: `${'\u3000'.repeat(depth)}${a.name}（${t(`areaKind.${a.kind}`)}）` }
    })
}
