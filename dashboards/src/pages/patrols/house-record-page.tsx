// The house record a plate opens (`#/h/<code>`): the building or room,
// registered against capacity, grade, the open findings (each with its
// re-inspection form), the last patrol and when the next is due; from here
// the patroller records a patrol.

import { useState } from 'preact/hooks'
import type { Finding, HouseRecord } from '../../../../contract/routes/patrol-routes.ts'
import { ErrorText } from '../../components/error-text.tsx'
import { Loaded } from '../../components/loading.tsx'
import { formatDateTime } from '../../format.ts'
import { t } from '../../i18n/index.ts'
import { href } from '../../router.ts'
import { api } from '../../session.ts'
import { useAction } from '../../use-action.ts'
import { useData } from '../../use-data.ts'
import { FindingCard } from './finding-card.tsx'
import './patrols.css'

/** `patrols`: whether the reader records patrols and re-inspections (else the record only, without their forms). */
export function HouseRecordPage ({ code, saved, back, patrols }: { code: string; saved: boolean; back: string; patrols: boolean }) {
  const data = useData(async () => await api.request('GET /house-codes/:code', { params: { code } }), [code])
  const [done, setDone] = useState<string | undefined>(saved ? t('patrols.record.saved') : undefined)
  return (
    <Loaded data={data}>
      {(r) => (
        <section class='house-record'>
          <p><a href={href(back)}>← {t('patrols.due.title')}</a></p>
          <h1>{r.building.name}</h1>
          <p class='muted'>{r.building.address}</p>
          {done !== undefined && <p class='notice' role='status'>{done}</p>}
          <RecordFacts record={r} />
          {patrols && (
            <div class='grid-buttons'>
              <a class='button primary' href={href(`/h/${code}/patrol`)}>{t('patrols.record.newPatrol')}</a>
            </div>
          )}
          <h2>{t('patrols.record.findings')}</h2>
          {r.openFindings.length === 0
            ? <p class='muted'>{t('patrols.record.noFindings')}</p>
            : (
              <ul class='grid-cards'>
                {r.openFindings.map((f) => (
                  <li key={f.id}>
                    <FindingCard finding={f} timeZone={r.building.timeZone}>
                      {patrols && <Reinspect finding={f} code={code} onDone={() => { setDone(t('patrols.reinspect.done')); data.reload() }} />}
                    </FindingCard>
                  </li>
                ))}
              </ul>
              )}
          <h2>{t('patrols.record.rooms')}</h2>
          <ul class='grid-list'>
            {r.rooms.map((room) => (
              <li key={room.id} class={room.registered > room.capacity ? 'warn' : undefined}>
                {t('patrols.finding.room', { number: room.number })}: {t('patrols.record.registeredOf', { registered: room.registered, capacity: room.capacity })}
              </li>
            ))}
          </ul>
        </section>
      )}
    </Loaded>
  )
}

function RecordFacts ({ record: r }: { record: HouseRecord }) {
  const tz = r.building.timeZone
  const here = r.room ?? { registered: r.registered, capacity: r.capacity }
  const overdue = Date.parse(r.nextDueAt) <= Date.now()
  return (
    <dl class='grid-facts'>
      <dt>{t('patrols.record.plate')}</dt>
      <dd>{r.room === null ? t('patrols.record.buildingPlate') : t('patrols.record.roomPlate', { number: r.room.number })}</dd>
      <dt>{t('patrols.record.registered')}</dt>
      <dd class={here.registered > here.capacity ? 'warn' : undefined}>{t('patrols.record.registeredOf', { registered: here.registered, capacity: here.capacity })}</dd>
      <dt>{t('patrols.record.grade')}</dt>
      <dd><span class={`grade grade-${r.building.grade}`}>{t(`grade.${r.building.grade}`)}</span></dd>
      <dt>{t('patrols.record.lastPatrol')}</dt>
      <dd>{r.lastPatrol === null
        ? t('patrols.due.never')
        : t('patrols.record.lastPatrolValue', { time: formatDateTime(r.lastPatrol.patrolledAt, tz), name: r.lastPatrol.patrollerName, headcount: r.lastPatrol.headcount, registered: r.lastPatrol.registered })}
      </dd>
      <dt>{t('patrols.record.nextDue')}</dt>
      <dd>{formatDateTime(r.nextDueAt, tz)}{overdue && <> <span class='badge warn'>{t('patrols.due.overdue')}</span></>}</dd>
    </dl>
  )
}

function Reinspect ({ finding, code, onDone }: { finding: Finding; code: string; onDone: () => void }) {
  const [note, setNote] = useState('')
  const { busy, error, run } = useAction()
  const send = (rectified: boolean) => run(async () => {
    await api.request('POST /findings/:id/reinspections', { params: { id: finding.id }, body: { code, rectified, ...(note.trim() === '' ? {} : { note: note.trim() }) } })
    setNote('')
    onDone()
  })
  return (
    <form class='grid-feedback' aria-label={t('patrols.reinspect.title')} onSubmit={(e) => e.preventDefault()}>
      <label>{t('patrols.reinspect.note')} <small>{t('common.optional')}</small>
        <textarea name='reinspectNote' rows={2} maxLength={2000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      {error !== undefined && <ErrorText error={error} />}
      <div class='grid-buttons'>
        <button type='button' class='primary' disabled={busy} onClick={() => { void send(true) }}>{t('patrols.reinspect.rectified')}</button>
        <button type='button' disabled={busy} onClick={() => { void send(false) }}>{t('patrols.reinspect.notYet')}</button>
      </div>
    </form>
  )
}
