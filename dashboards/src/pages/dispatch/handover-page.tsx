// Shift handover (交接班): what the next shift takes over in the station's
// area (GET /handovers/summary: the live alerts with who has them and what
// comes next, the escalations of this shift, the devices offline), the note
// the outgoing shift wrote and whether the incoming one acknowledged it, a
// form for the note, and the CSV of the alerts resolved during the shift
// (a plain link: the browser sends the session cookie with it).

import { useState } from 'preact/hooks'
import type { Handover, HandoverSummary } from '../../../../contract/schemas/alerts.ts'
import type { Building, User } from '../../../../contract/schemas/registry.ts'
import { ErrorText } from '../../components/error-text.tsx'
import { Loaded } from '../../components/loading.tsx'
import { formatDateTime, formatDuration } from '../../format.ts'
import { t } from '../../i18n/index.ts'
import { href } from '../../router.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'
import { AlertTableHead } from './alert-row.tsx'

export function HandoverPage ({ user, base = '/dispatch' }: { user: User; base?: string }) {
  const data = useData(async () => {
    const [summary, latest, buildings] = await Promise.all([
      api.request('GET /handovers/summary'),
      api.request('GET /handovers/latest'),
      api.request('GET /buildings'),
    ])
    return { summary, handover: latest.handover, buildings: new Map(buildings.map((b) => [b.id, b])), until: new Date().toISOString() }
  }, [])
  return (
    <section>
      <h1>{t('nav.dispatch.handover')}</h1>
      <Loaded data={data}>
        {({ summary, handover, buildings, until }) => (
          <>
            <ShiftFacts summary={summary} until={until} />
            <LiveAlerts summary={summary} buildings={buildings} base={base} until={Date.parse(until)} />
            <Escalations summary={summary} base={base} />
            <LatestNote handover={handover} user={user} onChanged={data.reload} />
            <WriteNote onWritten={data.reload} />
          </>
        )}
      </Loaded>
    </section>
  )
}

/** The shift's span, the counts, the devices offline, and the export of what it resolved. */
function ShiftFacts ({ summary: s, until }: { summary: HandoverSummary; until: string }) {
  const csv = `/alerts/export.csv?${new URLSearchParams({ since: s.since, until }).toString()}`
  return (
    <div class='card'>
      <dl class='facts'>
        <dt>{t('dispatch.handover.shift')}</dt>
        <dd>{t('dispatch.handover.span', { from: formatDateTime(s.since), to: formatDateTime(until) })}</dd>
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

function Escalations ({ summary: s, base }: { summary: HandoverSummary; base: string }) {
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
                  <time dateTime={e.at}>{formatDateTime(e.at)}</time> · <a href={href(`${base}/alerts/${encodeURIComponent(e.alertId)}`)}>{type === undefined ? e.alertId : t(`alertType.${type}`)}</a>
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
function LatestNote ({ handover: h, user, onChanged }: { handover: Handover | null; user: User; onChanged: () => void }) {
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const acknowledge = async (id: string): Promise<void> => {
    setBusy(true)
    setError(undefined)
    try {
      await api.request('POST /handovers/:id/acknowledge', { params: { id } })
      onChanged()
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <section class='card handover-note' aria-labelledby='handover-latest'>
      <h2 id='handover-latest'>{t('dispatch.handover.latestTitle')}</h2>
      {h === null
        ? <p>{t('dispatch.handover.noNote')}</p>
        : (
          <>
            <p class='muted'>{t('dispatch.handover.writtenBy', { name: h.createdByName, at: formatDateTime(h.createdAt) })}</p>
            <blockquote>{h.note}</blockquote>
            {h.acknowledged
              ? <p class='ok' role='status'>{t('dispatch.handover.acknowledgedBy', { name: h.acknowledgedByName ?? '—', at: formatDateTime(h.acknowledgedAt) })}</p>
              : h.createdBy === user.id
                ? <p class='muted' role='status'>{t('dispatch.handover.waiting')}</p>
                : <button type='button' class='primary' disabled={busy} onClick={() => { void acknowledge(h.id) }}>{t('dispatch.handover.acknowledge')}</button>}
          </>
          )}
      <ErrorText error={error} />
    </section>
  )
}

function WriteNote ({ onWritten }: { onWritten: () => void }) {
  const [note, setNote] = useState('')
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      await api.request('POST /handovers', { body: { note: note.trim() } })
      setNote('')
      onWritten()
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <form class='card' onSubmit={(e) => { void submit(e) }} aria-labelledby='handover-write'>
      <h2 id='handover-write'>{t('dispatch.handover.writeTitle')}</h2>
      <label>{t('dispatch.handover.note')}<textarea name='handoverNote' maxLength={4000} rows={4} value={note} onInput={(e) => setNote(e.currentTarget.value)} /></label>
      <ErrorText error={error} />
      <div class='actions'><button type='submit' class='primary' disabled={busy || note.trim() === ''}>{t('dispatch.handover.submit')}</button></div>
    </form>
  )
}
