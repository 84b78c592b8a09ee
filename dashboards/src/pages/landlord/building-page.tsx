// One building: its rooms with capacity, registered and who the doors say is
// inside now (counts only), vacant and over-capacity rooms marked.

import { t } from '../../i18n/index.ts'
import { Loaded } from '../../components/loading.tsx'
import { href } from '../../router.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'

export function BuildingPage ({ id }: { id: string }) {
  const data = useData(async () => {
    const [building, rooms] = await Promise.all([
      api.request('GET /buildings/:id', { params: { id } }),
      api.request('GET /buildings/:id/rooms', { params: { id } }),
    ])
    return { building, rooms: rooms.sort((a, b) => a.number.localeCompare(b.number, undefined, { numeric: true })) }
  }, [id])
  return (
    <Loaded data={data}>
      {({ building, rooms }) => (
        <section>
          <p><a href={href('/landlord')}>← {t('landlord.buildings.title')}</a></p>
          <h1>{building.name}</h1>
          <p class='muted'>{building.address}</p>
          <h2>{t('landlord.rooms.title')}</h2>
          <table>
            <thead>
              <tr>
                <th scope='col'>{t('landlord.room.number')}</th>
                <th scope='col'>{t('landlord.room.capacity')}</th>
                <th scope='col'>{t('landlord.room.registered')}</th>
                <th scope='col'>{t('landlord.room.state')}</th>
              </tr>
            </thead>
            <tbody>
              {rooms.map((r) => (
                <tr key={r.id} class={r.registered > r.capacity ? 'row-warn' : undefined}>
                  <td><a href={href(`/landlord/rooms/${encodeURIComponent(r.id)}`)}>{r.number}</a></td>
                  <td>{r.capacity}</td>
                  <td>{r.registered}</td>
                  <td>
                    {r.registered === 0 && <span class='badge'>{t('landlord.room.vacant')}</span>}
                    {r.registered > r.capacity && <span class='badge warn'>{t('landlord.room.over')}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </Loaded>
  )
}
