// A landlord's buildings: where each is, its grade, whether the security
// responsibility agreement is signed, and how its rooms stand (the platform's
// occupancy totals: registered against capacity, inside now, vacant, over).

import { t } from '../../i18n/index.ts'
import { Loaded } from '../../components/loading.tsx'
import { formatDate } from '../../format.ts'
import { href } from '../../router.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'

export function BuildingsPage () {
  const data = useData(async () => {
    const buildings = await api.request('GET /buildings')
    const occupancy = await Promise.all(buildings.map(async (b) => await api.request('GET /buildings/:id/occupancy', { params: { id: b.id } })))
    return buildings.map((building, i) => ({ building, occupancy: occupancy[i]! }))
  }, [])
  return (
    <section>
      <h1>{t('landlord.buildings.title')}</h1>
      <Loaded data={data}>
        {(rows) => rows.length === 0
          ? <p>{t('landlord.buildings.none')}</p>
          : (
            <>
              {rows.some((r) => !r.occupancy.presenceKnown) && <p class='warn' role='status'>{t('landlord.occupancy.presenceUnknown')}</p>}
              <table>
                <thead>
                  <tr>
                    <th scope='col'>{t('landlord.building.name')}</th>
                    <th scope='col'>{t('landlord.building.address')}</th>
                    <th scope='col'>{t('landlord.building.grade')}</th>
                    <th scope='col'>{t('landlord.building.rooms')}</th>
                    <th scope='col'>{t('landlord.building.registered')}</th>
                    <th scope='col'>{t('landlord.occupancy.inside')}</th>
                    <th scope='col'>{t('landlord.room.state')}</th>
                    <th scope='col'>{t('landlord.building.agreement')}</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map(({ building: b, occupancy: { totals, presenceKnown } }) => (
                    <tr key={b.id} data-building={b.id}>
                      <td><a href={href(`/landlord/buildings/${encodeURIComponent(b.id)}`)}>{b.name}</a></td>
                      <td>{b.address}</td>
                      <td><span class={`grade grade-${b.grade}`}>{t(`grade.${b.grade}`)}</span></td>
                      <td>{totals.rooms}</td>
                      <td>{t('landlord.building.registeredOf', { registered: totals.registered, capacity: totals.capacity })}</td>
                      <td>{presenceKnown ? totals.observedInside : t('landlord.occupancy.unknown')}</td>
                      <td>
                        <span class='badge'>{t('landlord.occupancy.vacantRooms', { n: totals.vacantRooms })}</span>
                        {totals.overCapacityRooms > 0 && <span class='badge warn'>{t('landlord.building.overRooms', { n: totals.overCapacityRooms })}</span>}
                      </td>
                      <td>{b.responsibilitySignedAt === null ? <span class='badge warn'>{t('landlord.building.agreementMissing')}</span> : formatDate(b.responsibilitySignedAt, b.timeZone)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
            )}
      </Loaded>
    </section>
  )
}
