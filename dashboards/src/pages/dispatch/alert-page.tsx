// One alert: what happened in plain words, where (building, address, room,
// door), its history, and the handling actions the dispatcher may take.

import { useState } from 'preact/hooks'
import type { AlertWithHistory } from '../../../../contract/schemas/alerts.ts'
import { ErrorText } from '../../components/error-text.tsx'
import { Loaded } from '../../components/loading.tsx'
import { formatDateTime, formatDuration } from '../../format.ts'
import { t } from '../../i18n/index.ts'
import { href } from '../../router.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'

export function AlertPage ({ id, base = '/dispatch' }: { id: string; base?: string }) {
  const data = useData(async () => {
    const alert = await api.request('GET /alerts/:id', { params: { id } })
    const building = await api.request('GET /buildings/:id', { params: { id: alert.buildingId } }).catch(() => null)
    const room = alert.roomId === null ? null : await api.request('GET /rooms/:id', { params: { id: alert.roomId } }).catch(() => null)
    return { alert, building, room }
  }, [id])
  return (
    <Loaded data={data}>
      {({ alert: a, building, room }) => (
        <section>
          <p><a href={href(base)}>← {t('dispatch.queue.title')}</a></p>
          <h1><span class={`sev-badge sev-${a.severity}`}>{t(`severity.${a.severity}`)}</span> {t(`alertType.${a.type}`)}</h1>
          <p class='explanation'>{a.explanation}</p>
          <dl class='facts'>
            <dt>{t('dispatch.detail.status')}</dt><dd>{t(`alertStatus.${a.status}`)}</dd>
            <dt>{t('dispatch.detail.building')}</dt><dd>{building?.name ?? a.buildingId}</dd>
            <dt>{t('dispatch.detail.address')}</dt><dd>{building?.address ?? '—'}</dd>
            {room !== null && <><dt>{t('dispatch.detail.room')}</dt><dd>{room.number}</dd></>}
            {a.door !== null && <><dt>{t('dispatch.detail.door')}</dt><dd>{a.door}</dd></>}
            <dt>{t('dispatch.detail.first')}</dt><dd>{formatDateTime(a.firstAt)}</dd>
            <dt>{t('dispatch.detail.last')}</dt><dd>{formatDateTime(a.lastAt)}{a.count > 1 && ` (×${a.count})`}</dd>
            {a.status !== 'resolved' && <><dt>{t('dispatch.queue.openFor')}</dt><dd>{formatDuration(Date.now() - Date.parse(a.createdAt))}</dd></>}
          </dl>
          <Actions alert={a} onChanged={data.reload} />
          <h2>{t('dispatch.detail.history')}</h2>
          <ol class='history'>
            {a.history.map((h) => (
              <li key={h.seq}>
                <time dateTime={h.at}>{formatDateTime(h.at)}</time> · <strong>{t(`alertAction.${h.action}`)}</strong>
                {h.actorId !== null && <span> · {h.actorId}</span>}
                {h.note !== null && <p>{h.note}</p>}
              </li>
            ))}
          </ol>
        </section>
      )}
    </Loaded>
  )
}

function Actions ({ alert: a, onChanged }: { alert: AlertWithHistory; onChanged: () => void }) {
  const [note, setNote] = useState('')
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  if (a.status === 'resolved') return null
  const act = async (what: 'acknowledge' | 'resolve'): Promise<void> => {
    setBusy(true)
    setError(undefined)
    try {
      if (what === 'acknowledge') await api.request('POST /alerts/:id/acknowledge', { params: { id: a.id }, body: note.trim() === '' ? {} : { note: note.trim() } })
      else await api.request('POST /alerts/:id/resolve', { params: { id: a.id }, body: { note: note.trim() } })
      setNote('')
      onChanged()
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <form class='card' onSubmit={(e) => e.preventDefault()} aria-label={t('dispatch.detail.handle')}>
      <label>{t('dispatch.detail.note')}<textarea maxLength={1000} value={note} onInput={(e) => setNote(e.currentTarget.value)} /></label>
      <ErrorText error={error} />
      <div class='actions'>
        {a.status === 'open' && <button type='button' class='primary' disabled={busy} onClick={() => { void act('acknowledge') }}>{t('dispatch.action.acknowledge')}</button>}
        <button type='button' disabled={busy || note.trim() === ''} onClick={() => { void act('resolve') }}>{t('dispatch.action.resolve')}</button>
      </div>
    </form>
  )
}
