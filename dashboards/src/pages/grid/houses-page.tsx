// The houses of the grid worker's area: every building they may see, with
// its address, grade, rooms, registered residents against capacity and the
// live alerts there now.

import type { Building, Room } from '../../../../contract/schemas/registry.ts'
import { Loaded } from '../../components/loading.tsx'
import { t } from '../../i18n/index.ts'
import { href } from '../../router.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'

export interface HouseSummary {
  building: Building
  rooms: number
  capacity: number
  registered: number
  overRooms: number
  liveAlerts: number
}

export function summarise (building: Building, rooms: Room[], liveAlerts: number): HouseSummary {
  return {
    building,
    rooms: rooms.length,
    capacity: rooms.reduce((n, r) => n + r.capacity, 0),
    registered: rooms.reduce((n, r) => n + r.registered, 0),
    overRooms: rooms.filter((r) => r.registered > r.capacity).length,
    liveAlerts,
  }
}

/** Live alerts per building of the signed-in person's scope. */
export async function liveAlertCounts (): Promise<Map<string, number>> {
  const counts = new Map<string, number>()
  for await (const a of api.alerts({ status: 'live', limit: 500 })) counts.set(a.buildingId, (counts.get(a.buildingId) ?? 0) + 1)
  return counts
}

export function HousesPage () {
  const data = useData(async () => {
    const [buildings, counts] = await Promise.all([api.request('GET /buildings'), liveAlertCounts()])
    const rooms = await Promise.all(buildings.map(async (b) => await api.request('GET /buildings/:id/rooms', { params: { id: b.id } })))
    return buildings
      .map((b, i) => summarise(b, rooms[i] ?? [], counts.get(b.id) ?? 0))
      .sort((a, b) => b.liveAlerts - a.liveAlerts || a.building.name.localeCompare(b.building.name, 'zh-CN', { numeric: true }))
  }, [])
  return (
    <section>
      <h1>{t('nav.grid.houses')}</h1>
      <Loaded data={data}>
        {(houses) => houses.length === 0
          ? <p class='grid-empty'>{t('grid.houses.none')}</p>
          : (
            <>
              <p class='muted'>{t('grid.houses.summary', { n: houses.length, registered: houses.reduce((n, h) => n + h.registered, 0) })}</p>
              <ul class='grid-cards'>
                {houses.map((h) => <li key={h.building.id}><HouseCard house={h} /></li>)}
              </ul>
            </>
            )}
      </Loaded>
    </section>
  )
}

function HouseCard ({ house: h }: { house: HouseSummary }) {
  const b = h.building
  return (
    <article class='grid-card' aria-label={b.name}>
      <header>
        <h2><a href={href(`/grid/houses/${encodeURIComponent(b.id)}`)}>{b.name}</a></h2>
        <span class={`grade grade-${b.grade}`}>{t(`grade.${b.grade}`)}</span>
      </header>
      <p class='muted'>{b.address}</p>
      <dl class='grid-figures'>
        <div><dt>{t('grid.house.rooms')}</dt><dd>{h.rooms}</dd></div>
        <div>
          <dt>{t('grid.house.registered')}</dt>
          <dd class={h.registered > h.capacity || h.overRooms > 0 ? 'warn' : undefined}>{t('grid.house.registeredOf', { registered: h.registered, capacity: h.capacity })}</dd>
        </div>
        <div>
          <dt>{t('grid.house.liveAlerts')}</dt>
          <dd class={h.liveAlerts > 0 ? 'warn' : undefined}>{h.liveAlerts}</dd>
        </div>
      </dl>
      {h.overRooms > 0 && <p><span class='badge warn'>{t('grid.house.overRooms', { n: h.overRooms })}</span></p>}
      {b.responsibilitySignedAt === null && <p><span class='badge warn'>{t('grid.house.agreementMissing')}</span></p>}
    </article>
  )
}
