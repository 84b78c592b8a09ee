// One alert: what happened in plain words, where (building, address, room,
// door), what to do for its type, the handling steps, the door's timeline
// around it with its own events marked, and its history.

import type { AlertHistoryEntry, AlertWithHistory } from '../../../../contract/schemas/alerts.ts'
import { alertText } from '../../alert-text.ts'
import type { Building, Room, User } from '../../../../contract/schemas/registry.ts'
import { Loaded } from '../../components/loading.tsx'
import { formatDateTime, formatDuration } from '../../format.ts'
import { hasText, t } from '../../i18n/index.ts'
import { href } from '../../router.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'
import { HandlingSteps } from './alert-handling.tsx'
import { DoorTimeline } from './door-timeline.tsx'

export function AlertPage ({ id, user, base = '/dispatch' }: { id: string; user: User; base?: string }) {
  const data = useData(async () => {
    const alert = await api.request('GET /alerts/:id', { params: { id } })
    const [building, room] = await Promise.all([
      api.request('GET /buildings/:id', { params: { id: alert.buildingId } }).catch(() => null),
      alert.roomId === null ? null : api.request('GET /rooms/:id', { params: { id: alert.roomId } }).catch(() => null),
    ])
    return { alert, building, room }
  }, [id])
  return (
    <Loaded data={data}>
      {({ alert: a, building, room }) => (
        <section>
          <p><a href={href(base)}>← {t('dispatch.queue.title')}</a></p>
          <h1><span class={`sev-badge sev-${a.severity}`}>{t(`severity.${a.severity}`)}</span> {t(`alertType.${a.type}`)}</h1>
          <p class='explanation'>{alertText(a, building?.timeZone)}</p>
          <div class='alert-top'>
            <AlertFacts alert={a} building={building} room={room} />
            <Procedure alert={a} />
          </div>
          <HandlingSteps alert={a} user={user} onChanged={data.reload} />
          {a.door !== null && <DoorTimeline alert={a} door={a.door} timeZone={building?.timeZone} />}
          <AlertHistory alert={a} timeZone={building?.timeZone} />
        </section>
      )}
    </Loaded>
  )
}

function AlertFacts ({ alert: a, building, room }: { alert: AlertWithHistory; building: Building | null; room: Room | null }) {
  return (
    <dl class='facts'>
      <dt>{t('dispatch.detail.status')}</dt><dd>{t(`alertStatus.${a.status}`)} · {t(`alertStage.${a.stage}`)}</dd>
      {a.assigneeName !== null && <><dt>{t('dispatch.workflow.assignee')}</dt><dd>{a.assigneeName}</dd></>}
      {a.closureReason !== null && <><dt>{t('dispatch.workflow.closureReason')}</dt><dd>{t(`closureReason.${a.closureReason}`)}</dd></>}
      <dt>{t('dispatch.detail.building')}</dt><dd>{building?.name ?? a.buildingId}</dd>
      <dt>{t('dispatch.detail.address')}</dt><dd>{building?.address ?? '—'}</dd>
      {a.roomId !== null && <><dt>{t('dispatch.detail.room')}</dt><dd>{room?.number ?? a.roomId}</dd></>}
      {a.door !== null && <><dt>{t('dispatch.detail.door')}</dt><dd>{a.door}</dd></>}
      <dt>{t('dispatch.detail.first')}</dt><dd>{formatDateTime(a.firstAt, building?.timeZone)}</dd>
      <dt>{t('dispatch.detail.last')}</dt><dd>{formatDateTime(a.lastAt, building?.timeZone)}{a.count > 1 && ` (×${a.count})`}</dd>
      {a.status !== 'resolved' && <><dt>{t('dispatch.queue.openFor')}</dt><dd>{formatDuration(Date.now() - Date.parse(a.createdAt))}</dd></>}
      {a.acknowledgedAt !== null && <><dt>{t('dispatch.detail.acknowledged')}</dt><dd>{formatDateTime(a.acknowledgedAt, building?.timeZone)}</dd></>}
    </dl>
  )
}

/** What to do for this type of alert: a short standing procedure. */
function Procedure ({ alert: a }: { alert: AlertWithHistory }) {
  return (
    <aside class='card procedure' aria-labelledby='procedure-title'>
      <h2 id='procedure-title'>{t('dispatch.procedure.title')}</h2>
      <p>{t(`dispatch.procedure.${a.type}`)}</p>
    </aside>
  )
}

function AlertHistory ({ alert: a, timeZone }: { alert: AlertWithHistory; timeZone: string | undefined }) {
  return (
    <>
      <h2>{t('dispatch.detail.history')}</h2>
      <ol class='history'>
        {a.history.map((h) => (
          <li key={h.seq}>
            <time dateTime={h.at}>{formatDateTime(h.at, timeZone)}</time> · <strong>{t(`alertAction.${h.action}`)}</strong>
            {h.actorName !== null && <span> · {h.actorName}</span>}
            {historyDetail(h) !== '' && <span class='muted'> · {historyDetail(h)}</span>}
            {h.note !== null && <p>{h.note}</p>}
          </li>
        ))}
      </ol>
    </>
  )
}

/** What a step's detail adds in words: to whom it was dispatched, the photo's reference, the closure reason. */
function historyDetail (h: AlertHistoryEntry): string {
  const d = h.detail
  if (h.action === 'assigned' && typeof d.assigneeName === 'string') return t('dispatch.history.assignedTo', { name: d.assigneeName })
  if (h.action === 'feedback' && typeof d.photoRef === 'string') return t('dispatch.history.photoRef', { ref: d.photoRef })
  if (h.action === 'resolved' && typeof d.closureReason === 'string') {
    const key = `closureReason.${d.closureReason}`
    return hasText(key) ? t(key) : d.closureReason
  }
  return ''
}
