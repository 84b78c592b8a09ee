// One building: per room its capacity, who is registered and how many people
// the doors say are inside now (counts only, GET /buildings/:id/occupancy),
// vacant rooms and rooms over capacity by registrations or by presence; the
// building's totals; its inbox, the bulk import and the register's export;
// the patrol findings to put right and the door plates to print.

import type { Occupancy } from '../../../../contract/routes/landlord-routes.ts'
import { Loaded } from '../../components/loading.tsx'
import { BuildingFindings } from '../patrols/building-findings.tsx'
import { formatDateTime } from '../../format.ts'
import { t } from '../../i18n/index.ts'
import { href } from '../../router.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'

export function BuildingPage ({ id }: { id: string }) {
  const data = useData(async () => {
    const [building, occupancy] = await Promise.all([
      api.request('GET /buildings/:id', { params: { id } }),
      api.request('GET /buildings/:id/occupancy', { params: { id } }),
    ])
    const rooms = occupancy.rooms.sort((a, b) => a.number.localeCompare(b.number, undefined, { numeric: true }))
    return { building, occupancy: { ...occupancy, rooms } }
  }, [id])
  const path = `/landlord/buildings/${encodeURIComponent(id)}`
  return (
    <Loaded data={data}>
      {({ building, occupancy }) => (
        <section>
          <p><a href={href('/landlord')}>← {t('landlord.buildings.title')}</a></p>
          <h1>{building.name}</h1>
          <p class='muted'>{building.address}</p>
          <ul class='tools' aria-label={t('landlord.building.tools')}>
            <li><a class='button' href={href(`${path}/site`)}>{t('landlordSite.site.link')}</a></li>
            <li><a class='button' href={href(`${path}/inbox`)}>{t('landlord.inbox.title')}</a></li>
            <li><a class='button' href={href(`${path}/score`)}>{t('policy.score.link')}</a></li>
            <li><a class='button' href={href(`${path}/import`)}>{t('landlord.import.title')}</a></li>
            <li><a class='button' href={href(`/plates/${encodeURIComponent(id)}`)}>{t('patrols.plates.link')}</a></li>
            <li><a class='button' href={`/buildings/${encodeURIComponent(id)}/register.csv`} download>{t('landlord.export.csv')}</a></li>
            <li><a class='button' href={`/buildings/${encodeURIComponent(id)}/register.xlsx`} download>{t('landlord.export.xlsx')}</a></li>
          </ul>
          <p class='muted'>{t('landlord.export.hint')}</p>
          <h2>{t('landlord.rooms.title')}</h2>
          <PresenceNote occupancy={occupancy} timeZone={building.timeZone} />
          <OccupancyTable occupancy={occupancy} />
          <BuildingFindings buildingId={building.id} timeZone={building.timeZone} />
        </section>
      )}
    </Loaded>
  )
}

/** Whether the "inside now" counts are facts: only while the pipeline runs. */
export function PresenceNote ({ occupancy, timeZone }: { occupancy: Occupancy; timeZone: string }) {
  return occupancy.presenceKnown
    ? <p class='muted'>{t('landlord.occupancy.asOf', { time: formatDateTime(occupancy.asOf, timeZone) })}</p>
    : <p class='warn' role='status'>{t('landlord.occupancy.presenceUnknown')}</p>
}

function OccupancyTable ({ occupancy }: { occupancy: Occupancy }) {
  const known = occupancy.presenceKnown
  const inside = (n: number): string => (known ? String(n) : t('landlord.occupancy.unknown'))
  const { totals } = occupancy
  return (
    <table class='occupancy'>
      <thead>
        <tr>
          <th scope='col'>{t('landlord.room.number')}</th>
          <th scope='col'>{t('landlord.room.capacity')}</th>
          <th scope='col'>{t('landlord.room.registered')}</th>
          <th scope='col'>{t('landlord.occupancy.inside')}</th>
          <th scope='col'>{t('landlord.room.state')}</th>
        </tr>
      </thead>
      <tbody>
        {occupancy.rooms.map((r) => {
          const over = r.overCapacity.registered || (known && r.overCapacity.observed)
          return (
            <tr key={r.roomId} class={over ? 'row-warn' : undefined} data-room={r.number}>
              <th scope='row'><a href={href(`/landlord/rooms/${encodeURIComponent(r.roomId)}`)}>{r.number}</a></th>
              <td>{r.capacity}</td>
              <td>{r.registered}</td>
              <td>{inside(r.observedInside)}</td>
              <td>
                {r.vacant && <span class='badge'>{t('landlord.room.vacant')}</span>}
                {r.overCapacity.registered && <span class='badge warn'>{t('landlord.occupancy.overRegistered')}</span>}
                {known && r.overCapacity.observed && <span class='badge alert'>{t('landlord.occupancy.overObserved')}</span>}
              </td>
            </tr>
          )
        })}
      </tbody>
      <tfoot>
        <tr>
          <th scope='row'>{t('landlord.occupancy.totals', { rooms: totals.rooms })}</th>
          <td>{totals.capacity}</td>
          <td>{totals.registered}</td>
          <td>{inside(totals.observedInside)}</td>
          <td>
            {t('landlord.occupancy.vacantRooms', { n: totals.vacantRooms })}
            {totals.overCapacityRooms > 0 && <span class='badge warn'>{t('landlord.building.overRooms', { n: totals.overCapacityRooms })}</span>}
          </td>
        </tr>
      </tfoot>
    </table>
  )
}
