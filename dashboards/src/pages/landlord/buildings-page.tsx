// A landlord's buildings: where each is, its grade, whether the security
// responsibility agreement is signed, how its rooms stand.

import { t } from '../../i18n/index.ts'
import { Loaded } from '../../components/loading.tsx'
import { formatDate } from '../../format.ts'
import { href } from '../../router.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'

export function BuildingsPage () {
  const data = useData(async () => {
    const buildings = await api.request('GET /buildings')
    const rooms = await Promise.all(buildings.map(async (b) => await api.request('GET /buildings/:id/rooms', { params: { id: b.id } })))
    return buildings.map((b, i) => {
      const rs = rooms[i] ?? []
      return {
        building: b,
        rooms: rs.length,
        capacity: rs.reduce((n, r) => n + r.capacity, 0),
        registered: rs.reduce((n, r) => n + r.registered, 0),
        over: rs.filter((r) => r.registered > r.capacity).length,
      }
    })
  }, [])
  return (
    <section>
      <h1>{t('landlord.buildings.title')}</h1>
      <Loaded data={data}>
        {(rows) => rows.length === 0
          ? <p>{t('landlord.buildings.none')}</p>
          : (
            <table>
              <thead>
                <tr>
                  <th scope='col'>{t('landlord.building.name')}</th>
                  <th scope='col'>{t('landlord.building.address')}</th>
                  <th scope='col'>{t('landlord.building.grade')}</th>
                  <th scope='col'>{t('landlord.building.rooms')}</th>
                  <th scope='col'>{t('landlord.building.registered')}</th>
                  <th scope='col'>{t('landlord.building.agreement')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map(({ building: b, rooms, capacity, registered, over }) => (
                  <tr key={b.id}>
                    <td><a href={href(`/landlord/buildings/${encodeURIComponent(b.id)}`)}>{b.name}</a></td>
                    <td>{b.address}</td>
                    <td><span class={`grade grade-${b.grade}`}>{t(`grade.${b.grade}`)}</span></td>
                    <td>{rooms}</td>
                    <td>
                      {t('landlord.building.registeredOf', { registered, capacity })}
                      {over > 0 && <span class='badge warn'> {t('landlord.building.overRooms', { n: over })}</span>}
                    </td>
                    <td>{b.responsibilitySignedAt === null ? <span class='badge warn'>{t('landlord.building.agreementMissing')}</span> : formatDate(b.responsibilitySignedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            )}
      </Loaded>
    </section>
  )
}
