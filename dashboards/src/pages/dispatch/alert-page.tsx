// One alert: what happened in plain words, where (building, address, room,
// door), its history, and the handling actions the dispatcher may take.

import { useState } from 'preact/hooks'
import type { AlertWithHistory } from '../../../../contract/schemas/alerts.ts'
import type { User } from '../../../../contract/schemas/registry.ts'
import { CLOSURE_REASONS, type ClosureReason } from '../../../../contract/vocabulary.ts'
import { ErrorText } from '../../components/error-text.tsx'
import { Loaded } from '../../components/loading.tsx'
import { formatDateTime, formatDuration } from '../../format.ts'
import { t } from '../../i18n/index.ts'
import { href } from '../../router.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'

export function AlertPage ({ id, user, base = '/dispatch' }: { id: string; user: User; base?: string }) {
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
            <dt>{t('dispatch.detail.status')}</dt><dd>{t(`alertStatus.${a.status}`)} · {t(`alertStage.${a.stage}`)}</dd>
            {a.assigneeName !== null && <><dt>{t('dispatch.workflow.assignee')}</dt><dd>{a.assigneeName}</dd></>}
            {a.closureReason !== null && <><dt>{t('dispatch.workflow.closureReason')}</dt><dd>{t(`closureReason.${a.closureReason}`)}</dd></>}
            <dt>{t('dispatch.detail.building')}</dt><dd>{building?.name ?? a.buildingId}</dd>
            <dt>{t('dispatch.detail.address')}</dt><dd>{building?.address ?? '—'}</dd>
            {room !== null && <><dt>{t('dispatch.detail.room')}</dt><dd>{room.number}</dd></>}
            {a.door !== null && <><dt>{t('dispatch.detail.door')}</dt><dd>{a.door}</dd></>}
            <dt>{t('dispatch.detail.first')}</dt><dd>{formatDateTime(a.firstAt, building?.timeZone)}</dd>
            <dt>{t('dispatch.detail.last')}</dt><dd>{formatDateTime(a.lastAt, building?.timeZone)}{a.count > 1 && ` (×${a.count})`}</dd>
            {a.status !== 'resolved' && <><dt>{t('dispatch.queue.openFor')}</dt><dd>{formatDuration(Date.now() - Date.parse(a.createdAt))}</dd></>}
          </dl>
          <Actions alert={a} user={user} onChanged={data.reload} />
          <h2>{t('dispatch.detail.history')}</h2>
          <ol class='history'>
            {a.history.map((h) => (
              <li key={h.seq}>
                <time dateTime={h.at}>{formatDateTime(h.at, building?.timeZone)}</time> · <strong>{t(`alertAction.${h.action}`)}</strong>
                {h.actorName !== null && <span> · {h.actorName}</span>}
                {h.note !== null && <p>{h.note}</p>}
              </li>
            ))}
          </ol>
        </section>
      )}
    </Loaded>
  )
}

type Step = 'acknowledge' | 'assign' | 'feedback' | 'verify' | 'reject' | 'resolve' | 'comment'

/** The handling steps (发现上报 → 指挥派遣 → 处置反馈 → 任务核查 → 事件归档) this person may take now; the platform decides again. */
function Actions ({ alert: a, user, onChanged }: { alert: AlertWithHistory; user: User; onChanged: () => void }) {
  const [note, setNote] = useState('')
  const [assignee, setAssignee] = useState('')
  const [photoRef, setPhotoRef] = useState('')
  const [reason, setReason] = useState<ClosureReason>('real')
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const dispatcher = user.role === 'police' || user.role === 'admin'
  const assignees = useData(async () => (dispatcher && a.status !== 'resolved' ? await api.request('GET /alerts/:id/assignees', { params: { id: a.id } }) : []), [a.id, dispatcher])
  if (a.status === 'resolved') return null
  const text = note.trim()
  const act = async (step: Step): Promise<void> => {
    setBusy(true)
    setError(undefined)
    const params = { id: a.id }
    const withNote = text === '' ? {} : { note: text }
    try {
      if (step === 'acknowledge') await api.request('POST /alerts/:id/acknowledge', { params, body: withNote })
      else if (step === 'assign') await api.request('POST /alerts/:id/assign', { params, body: { assigneeId: assignee, ...withNote } })
      else if (step === 'feedback') await api.request('POST /alerts/:id/feedback', { params, body: { note: text, ...(photoRef.trim() === '' ? {} : { photoRef: photoRef.trim() }) } })
      else if (step === 'verify' || step === 'reject') await api.request('POST /alerts/:id/verify', { params, body: { accepted: step === 'verify', ...withNote } })
      else if (step === 'resolve') await api.request('POST /alerts/:id/resolve', { params, body: { note: text, closureReason: reason } })
      else await api.request('POST /alerts/:id/comments', { params, body: { text } })
      setNote('')
      setPhotoRef('')
      onChanged()
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  const mine = a.assigneeId === user.id
  return (
    <form class='card' onSubmit={(e) => e.preventDefault()} aria-label={t('dispatch.detail.handle')}>
      <label>{t('dispatch.detail.note')}<textarea name='note' maxLength={1000} value={note} onInput={(e) => setNote(e.currentTarget.value)} /></label>
      {dispatcher && (a.stage === 'reported' || a.stage === 'dispatched') && (
        <label>
          {t('dispatch.workflow.assignee')}
          <select name='assignee' value={assignee} onChange={(e) => setAssignee(e.currentTarget.value)}>
            <option value=''>{t('dispatch.workflow.choose')}</option>
            {(assignees.value ?? []).map((w) => <option key={w.id} value={w.id}>{w.displayName}</option>)}
          </select>
        </label>
      )}
      {mine && a.stage === 'dispatched' && (
        <label>{t('dispatch.workflow.photoRef')} <small>{t('common.optional')}</small><input name='photoRef' maxLength={500} value={photoRef} onInput={(e) => setPhotoRef(e.currentTarget.value)} /></label>
      )}
      {dispatcher && (
        <label>
          {t('dispatch.workflow.closureReason')}
          <select name='closureReason' value={reason} onChange={(e) => setReason(e.currentTarget.value as ClosureReason)}>
            {CLOSURE_REASONS.map((r) => <option key={r} value={r}>{t(`closureReason.${r}`)}</option>)}
          </select>
        </label>
      )}
      <ErrorText error={error} />
      <div class='actions'>
        {a.status === 'open' && <button type='button' class='primary' disabled={busy} onClick={() => { void act('acknowledge') }}>{t('dispatch.action.acknowledge')}</button>}
        {dispatcher && (a.stage === 'reported' || a.stage === 'dispatched') && <button type='button' disabled={busy || assignee === ''} onClick={() => { void act('assign') }}>{t('dispatch.action.assign')}</button>}
        {mine && a.stage === 'dispatched' && <button type='button' class='primary' disabled={busy || text === ''} onClick={() => { void act('feedback') }}>{t('dispatch.action.feedback')}</button>}
        {dispatcher && a.stage === 'feedback' && <button type='button' class='primary' disabled={busy} onClick={() => { void act('verify') }}>{t('dispatch.action.verify')}</button>}
        {dispatcher && a.stage === 'feedback' && <button type='button' disabled={busy} onClick={() => { void act('reject') }}>{t('dispatch.action.reject')}</button>}
        {dispatcher && <button type='button' disabled={busy || text === ''} onClick={() => { void act('resolve') }}>{t('dispatch.action.resolve')}</button>}
        <button type='button' class='link' disabled={busy || text === ''} onClick={() => { void act('comment') }}>{t('dispatch.action.comment')}</button>
      </div>
    </form>
  )
}
