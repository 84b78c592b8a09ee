// My tasks: the live alerts dispatch assigned to this grid worker
// (GET /alerts?assignee=me), as the same cards as My alerts, each with the
// on-site feedback (处置反馈: what was found and done, a photo's reference if
// one was taken) while the workflow expects it. The list is asked again
// whenever the stream changes an alert of theirs.

import { useMemo, useState } from 'preact/hooks'
import type { Alert } from '../../../../contract/schemas/alerts.ts'
import type { User } from '../../../../contract/schemas/registry.ts'
import { bySeverityThenNewest } from '../dispatch/queue-filters.ts'
import { ErrorText } from '../../components/error-text.tsx'
import { Loaded } from '../../components/loading.tsx'
import { t } from '../../i18n/index.ts'
import { useLiveAlerts } from '../../live-alerts.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'
import { AlertCard, useNow } from './alerts-page.tsx'

export function TasksPage ({ user }: { user: User }) {
  const live = useLiveAlerts()
  const now = useNow()
  // What of theirs the stream last said: a change asks for the list again.
  const mine = useMemo(() => [...live.alerts.values()].filter((a) => a.assigneeId === user.id).map((a) => `${a.id}@${a.updatedAt}`).sort().join(','), [live.alerts, user.id])
  const buildings = useData(async () => new Map((await api.request('GET /buildings')).map((b) => [b.id, b])), [])
  const tasks = useData(async () => {
    const out: Alert[] = []
    for await (const a of api.alerts({ assignee: 'me', status: 'live', limit: 200 })) out.push(a)
    return out.sort(bySeverityThenNewest)
  }, [mine])
  return (
    <section>
      <h1>{t('nav.grid.tasks')} {tasks.value !== undefined && <span class='count'>{tasks.value.length}</span>}</h1>
      <p class={live.connected ? 'live ok' : 'live lost'} role='status'>{live.connected ? t('live.connected') : t('live.reconnecting')}</p>
      <Loaded data={tasks}>
        {(list) => list.length === 0
          ? <p class='grid-empty'>{t('grid.tasks.none')}</p>
          : (
            <ul class='grid-cards'>
              {list.map((a) => (
                <li key={a.id}>
                  <AlertCard alert={a} building={buildings.value?.get(a.buildingId)} now={now}>
                    {a.assigneeId === user.id && (a.stage === 'dispatched' || a.stage === 'feedback') && <Feedback alert={a} onSent={tasks.reload} />}
                  </AlertCard>
                </li>
              ))}
            </ul>
            )}
      </Loaded>
    </section>
  )
}

/** 处置反馈 from the site: a note, and a photo's reference (a file id or URI; the photo itself stays where it was taken). */
function Feedback ({ alert: a, onSent }: { alert: Alert; onSent: () => void }) {
  const [note, setNote] = useState('')
  const [photoRef, setPhotoRef] = useState('')
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const [sent, setSent] = useState(false)
  const send = async (e: Event): Promise<void> => {
    e.preventDefault()
    setBusy(true)
    setError(undefined)
    setSent(false)
    try {
      const ref = photoRef.trim()
      await api.request('POST /alerts/:id/feedback', { params: { id: a.id }, body: { note: note.trim(), ...(ref === '' ? {} : { photoRef: ref }) } })
      setNote('')
      setPhotoRef('')
      setSent(true)
      onSent()
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <form class='grid-feedback' onSubmit={(e) => { void send(e) }} aria-label={t('grid.tasks.feedbackTitle')}>
      {sent
        ? <p class='live ok' role='status'>{t('grid.tasks.sentNow')}</p>
        : a.stage === 'feedback' && <p class='muted'>{t('grid.tasks.feedbackSent')}</p>}
      <label>{t('grid.tasks.feedbackNote')}<textarea name='feedbackNote' maxLength={2000} rows={3} value={note} onInput={(e) => setNote(e.currentTarget.value)} /></label>
      <label>{t('dispatch.workflow.photoRef')} <small>{t('common.optional')}</small><input name='photoRef' maxLength={500} value={photoRef} onInput={(e) => setPhotoRef(e.currentTarget.value)} /></label>
      <ErrorText error={error} />
      <div class='grid-buttons'>
        <button type='submit' class='primary' disabled={busy || note.trim() === ''}>{t(a.stage === 'feedback' ? 'grid.tasks.addFeedback' : 'dispatch.action.feedback')}</button>
      </div>
    </form>
  )
}
