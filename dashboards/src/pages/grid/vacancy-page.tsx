// Vacancies for the grid worker to check on site (GET /vacancy-proposals):
// rooms and whole houses with nobody registered and nobody at the doors for
// three months. Confirming takes them off the rental register; rejecting
// needs a word on what was found. Cards for a phone.

import { useState } from 'preact/hooks'
import type { VacancyProposal } from '../../../../contract/routes/permit-routes.ts'
import { ActionForm } from '../../components/action-form.tsx'
import { Loaded } from '../../components/loading.tsx'
import { formatDate, formatDateTime } from '../../format.ts'
import { t } from '../../i18n/index.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'

const what = (p: VacancyProposal): string => p.roomId === null
  ? t('vacancy.house', { building: p.buildingName })
  : t('vacancy.room', { building: p.buildingName, room: p.roomNumber ?? '' })

export function VacancyPage () {
  const proposals = useData(async () => await api.request('GET /vacancy-proposals'), [])
  const [done, setDone] = useState('')
  return (
    <section class='vacancy'>
      <h1>{t('vacancy.title')}</h1>
      <p class='muted'>{t('vacancy.intro')}</p>
      {done !== '' && <p class='ok' role='status'>{done}</p>}
      <Loaded data={proposals}>
        {(rows) => rows.length === 0
          ? <p>{t('vacancy.none')}</p>
          : (
            <ul class='grid-cards'>
              {rows.map((p) => <li key={p.id}><Proposal p={p} onDone={(text) => { setDone(text); proposals.reload() }} /></li>)}
            </ul>
            )}
      </Loaded>
    </section>
  )
}

function Proposal ({ p, onDone }: { p: VacancyProposal; onDone: (text: string) => void }) {
  const [open, setOpen] = useState<'confirm' | 'reject' | undefined>()
  const [note, setNote] = useState('')
  const label = what(p)
  const decide = async (how: 'confirm' | 'reject'): Promise<unknown> => how === 'confirm'
    ? await api.request('POST /vacancy-proposals/:id/confirm', { params: { id: p.id }, body: note.trim() === '' ? {} : { note: note.trim() } })
    : await api.request('POST /vacancy-proposals/:id/reject', { params: { id: p.id }, body: { note: note.trim() } })
  return (
    <article class='card' aria-label={label}>
      <h2>{label}</h2>
      <p>{t('vacancy.since', { date: formatDate(p.vacantSince, p.timeZone) })}</p>
      <p class='muted'>{p.lastSeenAt === null ? t('vacancy.neverSeen') : t('vacancy.lastSeen', { time: formatDateTime(p.lastSeenAt, p.timeZone) })}</p>
      {open === undefined
        ? (
          <div class='actions'>
            <button type='button' class='primary' onClick={() => setOpen('confirm')}>{t('vacancy.confirm')}</button>
            <button type='button' onClick={() => setOpen('reject')}>{t('vacancy.reject')}</button>
          </div>
          )
        : (
          <ActionForm
            label={open === 'confirm' ? t('vacancy.confirm') : t('vacancy.reject')} submit={open === 'confirm' ? t('vacancy.confirm') : t('vacancy.reject')}
            danger={open === 'confirm'} run={async () => await decide(open)}
            onDone={() => onDone(open === 'confirm' ? t('vacancy.confirmed', { what: label }) : t('vacancy.rejected', { what: label }))}
            onCancel={() => setOpen(undefined)}
          >
            <label>
              {open === 'confirm' ? t('vacancy.noteOptional') : t('vacancy.note')}
              <input name='note' required={open === 'reject'} maxLength={1000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
            </label>
          </ActionForm>
          )}
    </article>
  )
}
