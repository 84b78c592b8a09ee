// The alerts of the landlord's own buildings: what happened in words, which
// building and room, when (in the building's time zone), and acknowledging
// one. Landlords acknowledge; handling and closing are the jurisdiction's
// (docs/alerts.md), so no other step is offered here.

import { useState } from 'preact/hooks'
import type { Alert } from '../../../../contract/schemas/alerts.ts'
import type { Building } from '../../../../contract/schemas/registry.ts'
import { alertText } from '../../alert-text.ts'
import { Loaded } from '../../components/loading.tsx'
import { formatDateTime } from '../../format.ts'
import { hasText, t } from '../../i18n/index.ts'
import { href } from '../../router.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'
import { SiteError } from './site-error.tsx'
import { useAction } from '../../use-action.ts'

const PAGE = 200

export function AlertsPage () {
  const [show, setShow] = useState<'live' | 'all'>('live')
  const data = useData(async () => {
    const [page, buildings] = await Promise.all([
      api.request('GET /alerts', { query: { ...(show === 'live' ? { status: 'live' as const } : {}), limit: PAGE } }),
      api.request('GET /buildings'),
    ])
    const rooms = new Map<string, string>()
    const wanted = new Set(page.items.filter((a) => a.roomId !== null).map((a) => a.buildingId))
    await Promise.all([...wanted].map(async (b) => {
      for (const r of await api.request('GET /buildings/:id/rooms', { params: { id: b } })) rooms.set(r.id, r.number)
    }))
    return { page, buildings: new Map(buildings.map((b) => [b.id, b])), rooms }
  }, [show])
  return (
    <section>
      <h1>{t('landlordSite.alerts.title')}</h1>
      <p class='muted'>{t('landlordSite.alerts.intro')}</p>
      <div class='filters'>
        <label>
          {t('landlordSite.alerts.show')}
          <select value={show} onChange={(e) => setShow(e.currentTarget.value as 'live' | 'all')}>
            <option value='live'>{t('landlordSite.alerts.live')}</option>
            <option value='all'>{t('landlordSite.alerts.all')}</option>
          </select>
        </label>
        <button type='button' onClick={data.reload}>{t('common.refresh')}</button>
      </div>
      <Loaded data={data}>
        {({ page, buildings, rooms }) => page.items.length === 0
          ? <p>{t('landlordSite.alerts.none')}</p>
          : (
            <>
              <ul class='alert-list'>
                {page.items.map((a) => <li key={a.id}><LandlordAlert alert={a} building={buildings.get(a.buildingId)} room={a.roomId === null ? undefined : rooms.get(a.roomId)} onChanged={data.reload} /></li>)}
              </ul>
              {page.nextCursor !== null && <p class='muted'>{t('landlordSite.alerts.more')}</p>}
            </>
            )}
      </Loaded>
    </section>
  )
}

function LandlordAlert ({ alert: a, building, room, onChanged }: { alert: Alert; building: Building | undefined; room: string | undefined; onChanged: () => void }) {
  const { busy, error, run } = useAction()
  const tz = building?.timeZone
  const title = t(`alertType.${a.type}`)
  const meaning = `landlordSite.meaning.${a.type}`
  const acknowledge = async (): Promise<void> => await run(async () => {
    await api.request('POST /alerts/:id/acknowledge', { params: { id: a.id }, body: {} })
    onChanged()
  })
  return (
    <article class={`card sev-card sev-${a.severity}`} aria-label={title} data-alert-id={a.id}>
      <h2 class='alert-title'>
        <span class={`sev-badge sev-${a.severity}`}>{t(`severity.${a.severity}`)}</span> {title}
        {a.count > 1 && <span class='muted'> ×{a.count}</span>}
        {' '}<span class='badge'>{t(`alertStatus.${a.status}`)} · {t(`alertStage.${a.stage}`)}</span>
      </h2>
      <p class='explanation'>{alertText(a, tz)}</p>
      {hasText(meaning) && <p class='muted'>{t(meaning)}</p>}
      <dl class='facts'>
        <dt>{t('landlordSite.alerts.where')}</dt>
        <dd>
          {building === undefined
            ? a.buildingId
            : <a href={href(`/landlord/buildings/${encodeURIComponent(building.id)}`)}>{building.name}</a>}
          {room !== undefined && <> · <a href={href(`/landlord/rooms/${encodeURIComponent(a.roomId!)}`)}>{t('landlordSite.alerts.room', { room })}</a></>}
          {a.door !== null && <span class='muted'> · {a.door}</span>}
        </dd>
        <dt>{t('landlordSite.alerts.when')}</dt><dd>{formatDateTime(a.lastAt, tz)}</dd>
        {a.count > 1 && <><dt>{t('landlordSite.alerts.first')}</dt><dd>{formatDateTime(a.firstAt, tz)}</dd></>}
      </dl>
      {a.acknowledgedAt !== null && <p class='muted'>{t('landlordSite.alerts.acknowledgedAt', { at: formatDateTime(a.acknowledgedAt, tz) })}</p>}
      {a.status === 'open' && (
        <div class='actions'>
          <button type='button' class='primary' disabled={busy} onClick={() => { void acknowledge() }}>{t('landlordSite.alerts.acknowledge')}</button>
        </div>
      )}
      <SiteError error={error} />
    </article>
  )
}
