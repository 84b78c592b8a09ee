// One house of the grid: its address and grade, the live alerts there, its
// rooms with who is registered in each (the ID number masked, as the platform
// sends it), and its doors' devices.
//
// No "call the landlord" button: the platform gives a grid worker the
// landlord's account id only, not their name or phone.

import type { Device, Registration, Room } from '../../../../contract/schemas/registry.ts'
import { Loaded } from '../../components/loading.tsx'
import { formatDate } from '../../format.ts'
import { hasText, t } from '../../i18n/index.ts'
import { href } from '../../router.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'

export function HousePage ({ id }: { id: string }) {
  const data = useData(async () => {
    const [building, rooms, registrations, devices, alerts] = await Promise.all([
      api.request('GET /buildings/:id', { params: { id } }),
      api.request('GET /buildings/:id/rooms', { params: { id } }),
      api.request('GET /buildings/:id/registrations', { params: { id }, query: { limit: 1000 } }),
      api.request('GET /buildings/:id/devices', { params: { id } }).catch(() => [] as Device[]),
      api.request('GET /alerts', { query: { status: 'live', buildingId: id, limit: 100 } }),
    ])
    const byRoom = new Map<string, Registration[]>()
    for (const r of registrations) {
      if (r.status !== 'active' && r.status !== 'pending') continue
      byRoom.set(r.roomId, [...(byRoom.get(r.roomId) ?? []), r])
    }
    return {
      building,
      rooms: rooms.sort((a, b) => a.number.localeCompare(b.number, undefined, { numeric: true })),
      byRoom,
      devices,
      liveAlerts: alerts.items.length,
    }
  }, [id])
  return (
    <Loaded data={data}>
      {({ building: b, rooms, byRoom, devices, liveAlerts }) => (
        <section>
          <p><a href={href('/grid/houses')}>← {t('nav.grid.houses')}</a></p>
          <h1>{b.name}</h1>
          <p>{b.address}</p>
          <dl class='facts'>
            <dt>{t('grid.house.grade')}</dt><dd><span class={`grade grade-${b.grade}`}>{t(`grade.${b.grade}`)}</span> · <a href={href(`/grid/houses/${encodeURIComponent(b.id)}/score`)}>{t('policy.score.link')}</a></dd>
            <dt>{t('grid.house.agreement')}</dt>
            <dd>{b.responsibilitySignedAt === null ? <span class='badge warn'>{t('grid.house.agreementMissing')}</span> : formatDate(b.responsibilitySignedAt, b.timeZone)}</dd>
            <dt>{t('grid.house.liveAlerts')}</dt>
            <dd>{liveAlerts === 0 ? t('common.none') : <a href={href('/grid')}>{t('grid.house.liveAlertsLink', { n: liveAlerts })}</a>}</dd>
          </dl>
          <p><a href={href(`/plates/${encodeURIComponent(b.id)}`)}>{t('patrols.plates.link')}</a></p>
          <h2>{t('grid.house.roomsTitle')}</h2>
          {rooms.length === 0
            ? <p>{t('grid.house.noRooms')}</p>
            : <ul class='grid-cards'>{rooms.map((r) => <li key={r.id}><RoomCard room={r} registrations={byRoom.get(r.id) ?? []} /></li>)}</ul>}
          {devices.length > 0 && (
            <>
              <h2>{t('grid.house.devicesTitle')}</h2>
              <ul class='grid-list'>
                {devices.map((d) => (
                  <li key={d.id}>
                    {t(`deviceKind.${d.kind}`)} · {d.door}
                    {!d.enabled && <span class='badge warn'>{t('grid.device.disabled')}</span>}
                    {d.enabled && !d.approved && <span class='badge warn'>{t(`allowlist.${d.allowlist}`)}</span>}
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
      )}
    </Loaded>
  )
}

function RoomCard ({ room: r, registrations }: { room: Room; registrations: Registration[] }) {
  const over = r.registered > r.capacity
  return (
    <article class={`grid-card${over ? ' grid-over' : ''}`} aria-label={t('grid.room.heading', { number: r.number })}>
      <header>
        <h3>{t('grid.room.heading', { number: r.number })}</h3>
        <span class={over ? 'badge warn' : 'badge'}>{t('grid.house.registeredOf', { registered: r.registered, capacity: r.capacity })}</span>
        {r.registered === 0 && <span class='badge'>{t('grid.room.vacant')}</span>}
        {over && <span class='badge warn'>{t('grid.room.over')}</span>}
      </header>
      {registrations.length > 0 && (
        <ul class='grid-people'>
          {registrations.map((reg) => (
            <li key={reg.id}>
              <strong>{reg.resident.name}</strong>
              {reg.status === 'pending' && <span class='badge'>{t('registrationStatus.pending')}</span>}
              <br />
              <span class='muted'>{idTypeText(reg.resident.idType)} <span class='grid-id'>{reg.resident.idNumberMasked}</span></span>
              <br />
              <span class='muted'>{t('grid.person.permit', { date: formatDate(reg.permitValidUntil) })}</span>
            </li>
          ))}
        </ul>
      )}
    </article>
  )
}

function idTypeText (idType: string): string {
  const key = `idType.${idType}`
  return hasText(key) ? t(key) : idType
}
