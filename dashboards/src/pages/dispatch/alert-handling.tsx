// The handling steps of an alert (发现上报 → 指挥派遣 → 处置反馈 → 任务核查 → 事件归档)
// that the signed-in person may take now; the platform checks each again.

import { useState } from 'preact/hooks'
import type { AlertWithHistory } from '../../../../contract/schemas/alerts.ts'
import type { User } from '../../../../contract/schemas/registry.ts'
import { CLOSURE_REASONS, type ClosureReason } from '../../../../contract/vocabulary.ts'
import { ErrorText } from '../../components/error-text.tsx'
import { t } from '../../i18n/index.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'

type Step = 'acknowledge' | 'assign' | 'feedback' | 'verify' | 'reject' | 'resolve' | 'comment'

/** The handling steps (发现上报 → 指挥派遣 → 处置反馈 → 任务核查 → 事件归档) this person may take now; the platform decides again. */
export function HandlingSteps ({ alert: a, user, onChanged }: { alert: AlertWithHistory; user: User; onChanged: () => void }) {
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
