// The monthly reconciliation as the landlord and the grid worker go through
// it (GET /reconciliations): their lists, newest first; the open one item by
// item (confirm, or corrected with a note) and its sign-off once every item
// is decided. Cards, so that it works on a phone as on a desk.

import { useState } from 'preact/hooks'
import type { Reconciliation, ReconciliationItem, ReconciliationScope, ReconciliationSummary } from '../../../contract/routes/permit-routes.ts'
import { formatDate, formatDateTime } from '../format.ts'
import { t } from '../i18n/index.ts'
import { api } from '../session.ts'
import { useAction } from '../use-action.ts'
import { useData } from '../use-data.ts'
import { ActionForm } from './action-form.tsx'
import { ErrorText } from './error-text.tsx'
import { Loaded } from './loading.tsx'

export function ReconciliationLists ({ scope }: { scope: ReconciliationScope }) {
  const lists = useData(async () => await api.request('GET /reconciliations', { query: { scope } }), [scope])
  return (
    <section class='reconciliation'>
      <h1>{t('reconciliation.title')}</h1>
      <p class='muted'>{t('reconciliation.intro')}</p>
      <Loaded data={lists}>
        {(rows) => rows.length === 0
          ? <p>{t('reconciliation.none')}</p>
          : rows.map((l, i) => <ListCard key={l.id} summary={l} open={i === 0 || l.signedOffAt === null} onChanged={lists.reload} />)}
      </Loaded>
    </section>
  )
}

function ListCard ({ summary, open, onChanged }: { summary: ReconciliationSummary; open: boolean; onChanged: () => void }) {
  const title = `${summary.scope === 'landlord' ? t('reconciliation.scope.landlord') : t('reconciliation.scope.grid', { name: summary.scopeName })} · ${t('reconciliation.list', { month: summary.month, done: summary.decided, n: summary.items })}`
  return (
    <article class='card' aria-label={title}>
      <h2>{title}</h2>
      {summary.signedOffAt !== null && <p class='ok'>{t('reconciliation.signedOff', { time: formatDateTime(summary.signedOffAt) })}</p>}
      {open && <ListItems id={summary.id} onChanged={onChanged} />}
    </article>
  )
}

function ListItems ({ id, onChanged }: { id: string; onChanged: () => void }) {
  const list = useData(async () => await api.request('GET /reconciliations/:id', { params: { id } }), [id])
  const sign = useAction()
  const [signed, setSigned] = useState(false)
  const changed = (): void => { list.reload(); onChanged() }
  return (
    <Loaded data={list}>
      {(l: Reconciliation) => {
        const waiting = l.list.filter((i) => i.outcome === null).length
        const closed = l.signedOffAt !== null
        return (
          <div>
            {l.list.length === 0
              ? <p>{t('reconciliation.empty')}</p>
              : <ul class='reconciliation-items'>{l.list.map((i) => <Item key={i.id} listId={l.id} item={i} closed={closed} onChanged={changed} />)}</ul>}
            {signed && <p class='ok' role='status'>{t('reconciliation.signedOffNow')}</p>}
            {!closed && (
              <div class='actions'>
                <button
                  type='button' class='primary' disabled={waiting > 0 || sign.busy}
                  onClick={() => { void sign.run(async () => { await api.request('POST /reconciliations/:id/sign-off', { params: { id: l.id } }); setSigned(true); changed() }) }}
                >{t('reconciliation.signOff')}
                </button>
                {waiting > 0 && <span class='muted'> {t('reconciliation.signOffWaiting', { n: waiting })}</span>}
              </div>
            )}
            <ErrorText error={sign.error} />
          </div>
        )
      }}
    </Loaded>
  )
}

function since (item: ReconciliationItem): string {
  if (item.since === null) return ''
  return t(`reconciliation.since.${item.kind}`, { date: formatDate(item.since, item.timeZone) })
}

function Item ({ listId, item, closed, onChanged }: { listId: string; item: ReconciliationItem; closed: boolean; onChanged: () => void }) {
  const [correcting, setCorrecting] = useState(false)
  const [note, setNote] = useState(item.note ?? '')
  const confirm = useAction()
  const where = t('reconciliation.room', { building: item.buildingName, room: item.roomNumber })
  const decide = async (outcome: 'confirmed' | 'corrected'): Promise<void> => {
    await api.request('POST /reconciliations/:id/items/:itemId', {
      params: { id: listId, itemId: item.id }, body: { outcome, ...(outcome === 'corrected' ? { note: note.trim() } : {}) },
    })
    onChanged()
  }
  return (
    <li class='card' aria-label={`${t(`reconciliation.kind.${item.kind}`)} ${where}`} data-outcome={item.outcome ?? ''}>
      <p>
        <span class={`badge ${item.kind === 'vacant_room' ? '' : 'warn'}`}>{t(`reconciliation.kind.${item.kind}`)}</span>
        {' '}{where}{item.nameMasked === null ? '' : ` · ${item.nameMasked}`}
      </p>
      <p class='muted'>{since(item)}</p>
      {item.outcome !== null && (
        <p class='ok'>{item.outcome === 'confirmed' ? t('reconciliation.outcome.confirmed') : t('reconciliation.outcome.corrected', { note: item.note ?? '' })}</p>
      )}
      {!closed && (correcting
        ? (
          <ActionForm
            label={t('reconciliation.correctNote')} submit={t('reconciliation.saveCorrection')} run={async () => await decide('corrected')}
            onDone={() => setCorrecting(false)} onCancel={() => setCorrecting(false)}
          >
            <label>{t('reconciliation.correctNote')}<input name='note' required maxLength={1000} value={note} onInput={(e) => setNote(e.currentTarget.value)} /></label>
          </ActionForm>
          )
        : (
          <div class='actions'>
            <button type='button' disabled={confirm.busy} onClick={() => { void confirm.run(async () => await decide('confirmed')) }}>{t('reconciliation.confirm')}</button>
            <button type='button' onClick={() => setCorrecting(true)}>{t('reconciliation.correct')}</button>
          </div>
          ))}
      <ErrorText error={confirm.error} />
    </li>
  )
}
