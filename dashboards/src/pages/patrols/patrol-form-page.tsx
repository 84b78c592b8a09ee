// Recording a patrol on site (`#/h/<code>/patrol`): the checklist (each item
// ok, problem or not applicable), the headcount against the registered count
// at the plate, findings with a deadline and a room, photo references and
// notes the landlord never sees. The plate's code goes with it as the proof
// of presence.

import { useState } from 'preact/hooks'
import type { HouseRecord, PatrolInput } from '../../../../contract/routes/patrol-routes.ts'
import { CHECK_OUTCOMES, FINDING_ITEMS, PATROL_CHECKLIST_ITEMS, type CheckOutcome, type FindingItem, type PatrolChecklistItem } from '../../../../contract/vocabulary.ts'
import { ErrorText } from '../../components/error-text.tsx'
import { Loaded } from '../../components/loading.tsx'
import { todayIn } from '../../format.ts'
import { t } from '../../i18n/index.ts'
import { href, navigate } from '../../router.ts'
import { api } from '../../session.ts'
import { useAction } from '../../use-action.ts'
import { useData } from '../../use-data.ts'
import './patrols.css'

interface FindingDraft { item: FindingItem; description: string; deadline: string; roomId: string }

/** YYYY-MM-DD `days` after `date`. */
const addDays = (date: string, days: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)

export function PatrolFormPage ({ code }: { code: string }) {
  const data = useData(async () => await api.request('GET /house-codes/:code', { params: { code } }), [code])
  return <Loaded data={data}>{(r) => <PatrolForm record={r} />}</Loaded>
}

function PatrolForm ({ record: r }: { record: HouseRecord }) {
  const tz = r.building.timeZone
  const [checklist, setChecklist] = useState<Partial<Record<PatrolChecklistItem, CheckOutcome>>>({})
  const [headcount, setHeadcount] = useState('')
  const [photos, setPhotos] = useState('')
  const [notes, setNotes] = useState('')
  const [findings, setFindings] = useState<FindingDraft[]>([])
  const { busy, error, submit } = useAction()
  const unanswered = PATROL_CHECKLIST_ITEMS.filter((i) => checklist[i] === undefined).length
  const here = r.room ?? { registered: r.registered }
  const change = (i: number, f: Partial<FindingDraft>): void => setFindings((all) => all.map((d, j) => (j === i ? { ...d, ...f } : d)))

  const send = submit(async () => {
    const body: PatrolInput = {
      code: r.code,
      headcount: Number(headcount),
      checklist: checklist as PatrolInput['checklist'],
      ...(photos.trim() === '' ? {} : { photoRefs: photos.split('\n').map((l) => l.trim()).filter((l) => l !== '') }),
      ...(notes.trim() === '' ? {} : { notes: notes.trim() }),
      ...(findings.length === 0
        ? {}
        : { findings: findings.map((f) => ({ item: f.item, description: f.description.trim(), deadline: f.deadline, ...(f.roomId === '' ? {} : { roomId: f.roomId }) })) }),
    }
    await api.request('POST /buildings/:id/patrols', { params: { id: r.building.id }, body })
    navigate(`/h/${r.code}?saved=1`)
  })

  return (
    <section class='patrol-form'>
      <p><a href={href(`/h/${r.code}`)}>← {r.building.name}</a></p>
      <h1>{t('patrols.form.title', { name: r.room === null ? r.building.name : `${r.building.name} ${t('patrols.finding.room', { number: r.room.number })}` })}</h1>
      <form onSubmit={send}>
        <fieldset>
          <legend>{t('patrols.form.checklist')}</legend>
          {PATROL_CHECKLIST_ITEMS.map((item) => (
            <fieldset key={item} class='check-item' data-item={item}>
              <legend>{t(`patrols.item.${item}`)}</legend>
              <div class='check-choices'>
                {CHECK_OUTCOMES.map((o) => (
                  <label key={o} class={`check-choice check-${o}`}>
                    <input
                      type='radio' name={`check-${item}`} value={o} checked={checklist[item] === o}
                      onChange={() => setChecklist((c) => ({ ...c, [item]: o }))}
                    />
                    {t(`patrols.outcome.${o}`)}
                  </label>
                ))}
              </div>
            </fieldset>
          ))}
        </fieldset>
        <label>{t('patrols.form.headcount')} <small class='muted'>{t('patrols.form.headcountHint', { registered: here.registered })}</small>
          <input name='headcount' type='number' inputMode='numeric' min={0} max={10000} required value={headcount} onInput={(e) => setHeadcount(e.currentTarget.value)} />
        </label>
        <fieldset>
          <legend>{t('patrols.form.findings')}</legend>
          {findings.map((f, i) => (
            <fieldset key={i} class='finding-draft'>
              <legend>{t('patrols.form.findingNumber', { n: i + 1 })}</legend>
              <label>{t('patrols.form.findingItem')}
                <select name={`finding-item-${i}`} value={f.item} onChange={(e) => change(i, { item: e.currentTarget.value as FindingItem })}>
                  {FINDING_ITEMS.map((item) => <option key={item} value={item}>{t(`patrols.item.${item}`)}</option>)}
                </select>
              </label>
              <label>{t('patrols.form.findingDescription')}
                <textarea name={`finding-description-${i}`} rows={2} maxLength={1000} required value={f.description} onInput={(e) => change(i, { description: e.currentTarget.value })} />
              </label>
              <label>{t('patrols.form.findingRoom')}
                <select name={`finding-room-${i}`} value={f.roomId} onChange={(e) => change(i, { roomId: e.currentTarget.value })}>
                  <option value=''>{t('patrols.form.wholeBuilding')}</option>
                  {r.rooms.map((room) => <option key={room.id} value={room.id}>{t('patrols.finding.room', { number: room.number })}</option>)}
                </select>
              </label>
              <label>{t('patrols.form.findingDeadline')}
                <input name={`finding-deadline-${i}`} type='date' required min={todayIn(tz)} value={f.deadline} onInput={(e) => change(i, { deadline: e.currentTarget.value })} />
              </label>
              <button type='button' onClick={() => setFindings((all) => all.filter((_, j) => j !== i))}>{t('patrols.form.removeFinding')}</button>
            </fieldset>
          ))}
          <button type='button' onClick={() => setFindings((all) => [...all, { item: firstProblem(checklist), description: '', deadline: addDays(todayIn(tz), 7), roomId: r.room?.id ?? '' }])}>
            {t('patrols.form.addFinding')}
          </button>
        </fieldset>
        <label>{t('patrols.form.photoRefs')} <small>{t('common.optional')}</small>
          <textarea name='photoRefs' rows={2} value={photos} onInput={(e) => setPhotos(e.currentTarget.value)} />
        </label>
        <label>{t('patrols.form.notes')} <small>{t('common.optional')}</small>
          <textarea name='notes' rows={3} maxLength={2000} value={notes} onInput={(e) => setNotes(e.currentTarget.value)} />
        </label>
        {unanswered > 0 && <p class='muted' role='status'>{t('patrols.form.unanswered', { n: unanswered })}</p>}
        {error !== undefined && <ErrorText error={error} />}
        <div class='grid-buttons'>
          <button type='submit' class='primary' disabled={busy || unanswered > 0 || headcount === ''}>{t('patrols.form.submit')}</button>
        </div>
      </form>
    </section>
  )
}

/** A new finding starts on the first item marked a problem, if any. */
function firstProblem (checklist: Partial<Record<PatrolChecklistItem, CheckOutcome>>): FindingItem {
  return PATROL_CHECKLIST_ITEMS.find((i) => checklist[i] === 'problem') ?? 'other'
}
