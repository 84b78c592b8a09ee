// Shift handover (交接班): what the next shift takes over in the station's
// area (GET /handovers/summary: the live alerts with who has them and what
// comes next, the escalations of this shift, the devices offline), the note
// the outgoing shift wrote and whether the incoming one acknowledged it, a
// form for the note, and the CSV of the alerts resolved during the shift
// (a plain link: the browser sends the session cookie with it). Police see
// their own area; an administrator picks one. Times in the area's zone.

import { useState } from 'preact/hooks'
import type { Handover, HandoverSummary } from '../../../../contract/schemas/alerts.ts'
import type { Area, Building, User } from '../../../../contract/schemas/registry.ts'
import { ErrorText } from '../../components/error-text.tsx'
import { Loaded } from '../../components/loading.tsx'
import { formatDateTime, formatDuration, zoneOfBuildings } from '../../format.ts'
import { t } from '../../i18n/index.ts'
import { href, navigate, queryOf } from '../../router.ts'
import { api } from '../../session.ts'
import { useAction } from '../../use-action.ts'
import { useData } from '../../use-data.ts'
import { areaOptions } from '../admin/area-names.ts'
import { AlertTableHead } from './alert-row.tsx'

/**
 * Police hand over their own area; an administrator picks the area (`?area=`). Times are read in the area's
 * zone: the one its buildings keep.
 */
export function HandoverPage ({ user, base = '/dispatch', path = '' }: { user: User; base?: string; path?: string }) {
  const areas = useData(async () => user.areaId === null ? await api.request('GET /areas') : [], [user.areaId])
  const areaId = user.areaId ?? queryOf(path).get('area') ?? undefined
  return (
    <section>
      <h1>{t('nav.dispatch.handover')}</h1>
      {user.areaId === null && (
        <Loaded data={areas}>
          {(list) => (
            <label>
              {t('dispatch.handover.area')}
              <select name='handoverArea' value={areaId ?? ''} onChange={(e) => navigate(`${base}/handover?area=${encodeURIComponent(e.currentTarget.value)}`)}>
                <option value=''>{t('dispatch.handover.pickArea')}</option>
                {areaOptions(list).map((o) => <option key={o.area.id} value={o.area.id}>{o.label}</option>)}
              </select>
            </label>
          )}
        </Loaded>
      )}
      {areaId !== undefined && <AreaHandover key={areaId} user={user} areaId={areaId} areas={areas.value ?? []} base={base} />}
    </section>
  )
}

/** The buildings of an area, where the list holds more (an administrator's: every building). */
function inArea (buildings: Building[], areas: Area[], areaId: string): Building[] {
  const area = areas.find((a) => a.id === areaId)
  if (area === undefined) return buildings
  const paths = new Map(areas.map((a) => [a.id, a.path]))
  return buildings.filter((b) => (paths.get(b.gridId) ?? '').startsWith(area.path))
}

function AreaHandover ({ user, areaId, areas, base }: { user: User; areaId: string; areas: Area[]; base: string }) {
  const query = user.areaId === null ? { areaId } : {}
  const data = useData(async () => {
    const [summary, latest, buildings] = await Promise.all([
      api.request('GET /handovers/summary', { query }),
      api.request('GET /handovers/latest', { query }),
      api.request('GET /buildings'),
    ])
    const zone = zoneOfBuildings(inArea(buildings, areas, areaId))
    return { summary, handover: latest.handover, buildings: new Map(buildings.map((b) => [b.id, b])), until: new Date().toISOString(), zone }
  }, [areaId, areas.length])
  return (
    <Loaded data={data}>
      {({ summary, handover, buildings, until, zone }) => (
        <>
          <ShiftFacts summary={summary} until={until} zone={zone} />
          <LiveAlerts summary={summary} buildings={buildings} base={base} until={Date.parse(until)} />
          <Escalations summary={summary} base={base} zone={zone} />
          <LatestNote handover={handover} user={user} zone={zone} onChanged={data.reload} />
          <WriteNote areaId={user.areaId === null ? areaId : undefined} onWritten={data.reload} />
        </>
      )}
    </Loaded>
  )
}

/** The shift's span, the counts, the devices offline, and the export of what it resolved. */
function ShiftFacts ({ summary: s, until, zone }: { summary: HandoverSummary; until: string; zone: string }) {
  const csv = `/alerts/export.csv?${new URLSearchParams({ since: s.since, until }).toString()}`
  return (
    <div class='card'>
      <dl class='facts'>
        <dt>{t('dispatch.handover.shift')}</dt>
        <dd>{t('dispatch.handover.span', { from: formatDateTime(s.since, zone), to: formatDateTime(until, zone) })}</dd>
        <dt>{t('dispatch.handover.counts')}</dt>
        <dd class='handover-counts'>
          {t('dispatch.handover.countsText', { open: s.counts.open, acknowledged: s.counts.acknowledged, assigned: s.counts.assigned, unassigned: s.counts.unassigned })}
        </dd>
        <dt>{t('dispatch.handover.offline')}</dt>
        <dd class={s.offlineDevices > 0 ? 'warn' : undefined}>{s.offlineDevices}</dd>
      </dl>
      <p><a class='button' href={csv} download='alerts.csv'>{t('dispatch.handover.export')}</a></p>
    </div>
  )
}

function LiveAlerts ({ summary: s, buildings, base, until }: { summary: HandoverSummary; buildings: Map<string, Building>; base: string; until: number }) {
  return (
    <>
      <h2>{t('dispatch.handover.liveTitle')}</h2>
      {s.liveAlerts.length === 0
        ? <p>{t('dispatch.handover.noLive')}</p>
        : (
          <table class='handover'>
            <AlertTableHead>
              <th scope='col'>{t('dispatch.handover.owner')}</th>
              <th scope='col'>{t('dispatch.handover.next')}</th>
            </AlertTableHead>
            <tbody>
              {s.liveAlerts.map((a) => {
                const b = buildings.get(a.buildingId)
                return (
                  <tr key={a.id} class={`sev sev-${a.severity}`} data-alert-id={a.id}>
                    <td><span class={`sev-badge sev-${a.severity}`}>{t(`severity.${a.severity}`)}</span></td>
                    <td>
                      <a href={href(`${base}/alerts/${encodeURIComponent(a.id)}`)}>{t(`alertType.${a.type}`)}</a>
                      {a.escalationLevel > 0 && <span class='badge warn'>{t('dispatch.handover.escalatedBadge')}</span>}
                    </td>
                    <td>{b?.name ?? a.buildingId}</td>
                    <td>{t(`alertStatus.${a.status}`)} · {t(`alertStage.${a.stage}`)}</td>
                    <td><time dateTime={a.createdAt}>{formatDateTime(a.createdAt, b?.timeZone)}</time></td>
                    <td class='timer'>{formatDuration(until - Date.parse(a.createdAt))}</td>
                    <td>{a.assigneeName ?? <span class='muted'>{t('dispatch.handover.unassigned')}</span>}</td>
                    <td>{t(`dispatch.nextStep.${a.stage}`)}</td>
                  </tr>
                )
              })}
            </tbody>
          </table>
          )}
    </>
  )
}

function Escalations ({ summary: s, base, zone }: { summary: HandoverSummary; base: string; zone: string }) {
  const types = new Map(s.liveAlerts.map((a) => [a.id, a.type]))
  return (
    <>
      <h2>{t('dispatch.handover.escalationsTitle')}</h2>
      {s.escalations.length === 0
        ? <p>{t('dispatch.handover.noEscalations')}</p>
        : (
          <ul class='history'>
            {s.escalations.map((e) => {
              const type = types.get(e.alertId)
              return (
                <li key={`${e.alertId}-${e.at}`}>
                  <time dateTime={e.at}>{formatDateTime(e.at, zone)}</time> · <a href={href(`${base}/alerts/${encodeURIComponent(e.alertId)}`)}>{type === undefined ? e.alertId : t(`alertType.${type}`)}</a>
                  {' · '}{t(e.toLevel >= 2 ? 'dispatch.handover.toDistrict' : 'dispatch.handover.toStreet')}
                </li>
              )
            })}
          </ul>
          )}
    </>
  )
}

/** The latest note of the area; the next shift (not its writer) acknowledges it. */
function LatestNote ({ handover: h, user, zone, onChanged }: { handover: Handover | null; user: User; zone: string; onChanged: () => void }) {
  const { busy, error, run } = useAction()
  const acknowledge = (id: string): void => {
    void run(async () => {
      await api.request('POST /handovers/:id/acknowledge', { params: { id } })
      onChanged()
    })
  }
  return (
    <section class='card handover-note' aria-labelledby='handover-latest'>
      <h2 id='handover-latest'>{t('dispatch.handover.latestTitle')}</h2>
      {h === null
        ? <p>{t('dispatch.handover.noNote')}</p>
        : (
          <>
            <p class='muted'>{t('dispatch.handover.writtenBy', { name: h.createdByName, at: formatDateTime(h.createdAt, zone) })}</p>
            <blockquote>{h.note}</blockquote>
            {h.acknowledged
              ? <p class='ok' role='status'>{t('dispatch.handover.acknowledgedBy', { name: h.acknowledgedByName ?? '—', at: formatDateTime(h.acknowledgedAt, zone) })}</p>
              : h.createdBy === user.id
                ? <p class='muted' role='status'>{t('dispatch.handover.waiting')}</p>
                : <button type='button' class='primary' disabled={busy} onClick={() => acknowledge(h.id)}>{t('dispatch.handover.acknowledge')}</button>}
          </>
          )}
      <ErrorText error={error} />
    </section>
  )
}

/** The note for the next shift; an administrator writes it for the area they picked. */
function WriteNote ({ areaId, onWritten }: { areaId: string | undefined; onWritten: () => void }) {
  const [note, setNote] = useState('')
  const { busy, error, submit: onSubmit } = useAction()
  const submit = onSubmit(async () => {
    await api.request('POST /handovers', { body: { note: note.trim(), ...(areaId === undefined ? {} : { areaId }) } })
    setNote('')
    onWritten()
  })
  return (
    <form class='card' onSubmit={submit} aria-labelledby='handover-write'>
      <h2 id='handover-write'>{t('dispatch.handover.writeTitle')}</h2>
      <label>{t('dispatch.handover.note')}<textarea name='handoverNote' maxLength={4000} rows={4} value={note} onInput={(e) => setNote(e.currentTarget.value)} /></label>
      <ErrorText error={error} />
      <div class='actions'><button type='submit' class='primary' disabled={busy || note.trim() === ''}>{t('dispatch.handover.submit')}</button></div>
    </form>
  )
}
