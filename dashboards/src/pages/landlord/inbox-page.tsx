// What asks for the landlord's action (GET /buildings/:id/inbox): tenants the
// doors have not seen for long, proposed for deregistration in one click
// (after a confirmation with reason and date filled in), and residence
// permits that end within 30 days or have ended, to renew. An item goes once
// its action is done.

import { useState } from 'preact/hooks'
import type { Inbox, InboxItem } from '../../../../contract/routes/landlord-routes.ts'
import { addMonths, PERMIT_MAX_MONTHS } from '../../../../contract/permit-dates.ts'
import type { Building, PermitType } from '../../../../contract/schemas/registry.ts'
import { ActionForm } from '../../components/action-form.tsx'
import { Loaded } from '../../components/loading.tsx'
import { dayIn, formatDate, formatDateTime, todayIn, zonedInstant } from '../../format.ts'
import { t } from '../../i18n/index.ts'
import { href } from '../../router.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'

/** The inbox of one building, or (no id) of every building of the landlord. */
export function InboxPage ({ buildingId }: { buildingId?: string }) {
  const data = useData(async () => {
    const buildings = buildingId === undefined
      ? await api.request('GET /buildings')
      : [await api.request('GET /buildings/:id', { params: { id: buildingId } })]
    const inboxes = await Promise.all(buildings.map(async (b) => await api.request('GET /buildings/:id/inbox', { params: { id: b.id } })))
    return buildings.map((building, i) => ({ building, inbox: inboxes[i]! }))
  }, [buildingId])
  return (
    <section>
      {buildingId !== undefined && <p><a href={href(`/landlord/buildings/${encodeURIComponent(buildingId)}`)}>← {t('common.back')}</a></p>}
      <h1>{t('landlord.inbox.title')}</h1>
      <Loaded data={data}>
        {(rows) => rows.length === 0
          ? <p>{t('landlord.buildings.none')}</p>
          : rows.map(({ building, inbox }) => <BuildingInbox key={building.id} building={building} inbox={inbox} onChanged={data.reload} />)}
      </Loaded>
    </section>
  )
}

type Action = { kind: 'deregister' | 'renew'; item: InboxItem }

function BuildingInbox ({ building, inbox, onChanged }: { building: Building; inbox: Inbox; onChanged: () => void }) {
  const [open, setOpen] = useState<Action | undefined>()
  const [done, setDone] = useState<{ text: string; gone: Set<string> }>({ text: '', gone: new Set() })
  const key = (i: InboxItem): string => `${i.type}:${i.registrationId}`
  const items = inbox.items.filter((i) => !done.gone.has(key(i)) && !done.gone.has(i.registrationId))
  const finished = (a: Action): void => {
    // Deregistered: every item of that registration goes; renewed: the permit's item (the reload shows what still asks).
    const gone = new Set(done.gone).add(a.kind === 'deregister' ? a.item.registrationId : key(a.item))
    const name = a.item.nameMasked
    setDone({ gone, text: a.kind === 'deregister' ? t('landlord.inbox.deregistered', { name }) : t('landlord.inbox.renewed', { name }) })
    setOpen(undefined)
    onChanged()
  }
  const tz = building.timeZone
  return (
    <section class='inbox' aria-labelledby={`inbox-${building.id}`}>
      <h2 id={`inbox-${building.id}`}>{building.name} <span class='count'>{items.length}</span></h2>
      <p class='muted'>{t('landlord.inbox.rules', { days: inbox.notSeenDays, permitDays: inbox.permitExpiringDays, time: formatDateTime(inbox.asOf, tz) })}</p>
      {done.text !== '' && <p class='ok' role='status'>{done.text}</p>}
      {items.length === 0
        ? <p>{t('landlord.inbox.empty')}</p>
        : (
          <ul class='inbox-items'>
            {items.map((item) => (
              <li key={key(item)} class='card' data-registration={item.registrationId}>
                <p>
                  <span class={`badge ${item.type === 'permit_expiring' ? '' : 'warn'}`}>{t(`landlord.inbox.type.${item.type}`)}</span>
                  {' '}<a href={href(`/landlord/rooms/${encodeURIComponent(item.roomId)}`)}>{t('landlord.room.heading', { number: item.roomNumber })}</a>
                  {' · '}<strong>{item.nameMasked}</strong>
                </p>
                <p>{describe(item, tz)}</p>
                {item.type !== 'not_seen' && <PermitNotes item={item} timeZone={tz} />}
                {open?.item === item
                  ? open.kind === 'deregister'
                    ? <DeregisterConfirm item={item} timeZone={tz} onDone={() => finished(open)} onCancel={() => setOpen(undefined)} />
                    : <RenewConfirm item={item as InboxItem & { permitValidUntil: string; permitType: PermitType | null }} timeZone={tz} onDone={() => finished(open)} onCancel={() => setOpen(undefined)} />
                  : (
                    <div class='actions'>
                      {(item.actions as readonly string[]).includes('renew') && <button type='button' class='primary' onClick={() => setOpen({ kind: 'renew', item })}>{t('landlord.renew.open')}</button>}
                      {item.actions.includes('deregister') && <button type='button' onClick={() => setOpen({ kind: 'deregister', item })}>{t('landlord.deregister.open')}</button>}
                    </div>
                    )}
              </li>
            ))}
          </ul>
          )}
    </section>
  )
}

function describe (item: InboxItem, timeZone: string): string {
  if (item.type === 'not_seen') {
    const seen = item.lastSeenAt === null
      ? t('landlord.inbox.neverSeen', { days: item.daysNotSeen })
      : t('landlord.inbox.notSeen', { days: item.daysNotSeen, time: formatDateTime(item.lastSeenAt, timeZone) })
    return item.alertId === null ? seen : `${seen} ${t('landlord.inbox.alertRaised')}`
  }
  const date = formatDate(item.permitValidUntil, timeZone)
  return item.type === 'permit_expired'
    ? t('landlord.inbox.permitExpired', { date, days: -item.daysLeft })
    : t('landlord.inbox.permitExpiring', { date, days: item.daysLeft })
}

/** A permit's type, whether its cards are off the doors, and the reminders sent for it. */
function PermitNotes ({ item, timeZone }: { item: InboxItem & { type: 'permit_expiring' | 'permit_expired' }; timeZone: string }) {
  const sent = item.reminders.map((m) => t('landlord.permit.reminder', { days: m.daysBefore, time: formatDateTime(m.sentAt, timeZone) }))
  return (
    <>
      {item.permitType !== null && <p class='muted'>{t(`permitType.${item.permitType}`)}</p>}
      {item.lapsed && <p class='warn'>{t('landlord.permit.lapsed')}</p>}
      {sent.length > 0 && <p class='muted reminders'>{t('landlord.permit.reminders', { list: sent.join('；') })}</p>}
    </>
  )
}

/** The day the tenant probably left: the day they were last seen, else today (in the building's zone). */
function likelyDeparture (item: InboxItem, timeZone: string): string {
  if (item.type !== 'not_seen' || item.lastSeenAt === null) return todayIn(timeZone)
  return dayIn(item.lastSeenAt, timeZone)
}

const REASONS = ['moved_out', 'lease_ended', 'permit_expired', 'other'] as const

function DeregisterConfirm ({ item, timeZone, onDone, onCancel }: { item: InboxItem; timeZone: string; onDone: () => void; onCancel: () => void }) {
  const [reason, setReason] = useState<(typeof REASONS)[number]>(item.type === 'permit_expired' ? 'permit_expired' : 'moved_out')
  const [other, setOther] = useState('')
  const [date, setDate] = useState(likelyDeparture(item, timeZone))
  const today = todayIn(timeZone)
  const question = t('landlord.inbox.confirmDeregister', { name: item.nameMasked })
  const run = async (): Promise<unknown> => await api.request('POST /registrations/:id/deregister', {
    params: { id: item.registrationId },
    body: { reason: reason === 'other' ? other.trim() : reason, ...(date === today ? {} : { departedAt: zonedInstant(date, '12:00', timeZone) }) },
  })
  return (
    <ActionForm label={question} submit={t('landlord.deregister.submit')} danger run={run} onDone={onDone} onCancel={onCancel}>
      <p>{question}</p>
      <label>
        {t('landlord.deregister.reason')}
        <select name='reason' value={reason} onChange={(e) => setReason(e.currentTarget.value as typeof reason)}>
          {REASONS.map((r) => <option key={r} value={r}>{t(`landlord.departure.${r}`)}</option>)}
        </select>
      </label>
      {reason === 'other' && <label>{t('landlord.deregister.otherReason')}<input name='otherReason' required maxLength={200} value={other} onInput={(e) => setOther(e.currentTarget.value)} /></label>}
      <label>{t('landlord.deregister.date')}<input name='departedOn' type='date' required max={today} value={date} onInput={(e) => setDate(e.currentTarget.value)} /></label>
    </ActionForm>
  )
}

/** The longest a permit of its type runs from today (a year when the type is not recorded). */
function nextPermitEnd (type: PermitType | null, timeZone: string): string {
  return addMonths(todayIn(timeZone), type === null ? 12 : PERMIT_MAX_MONTHS[type])
}

function RenewConfirm ({ item, timeZone, onDone, onCancel }: { item: InboxItem & { permitValidUntil: string; permitType: PermitType | null }; timeZone: string; onDone: () => void; onCancel: () => void }) {
  const [permit, setPermit] = useState(nextPermitEnd(item.permitType, timeZone))
  const run = async (): Promise<unknown> => await api.request('POST /registrations/:id/renew', { params: { id: item.registrationId }, body: { permitValidUntil: permit } })
  return (
    <ActionForm label={t('landlord.inbox.confirmRenew', { name: item.nameMasked })} submit={t('landlord.renew.submit')} run={run} onDone={onDone} onCancel={onCancel}>
      <label>{t('landlord.inbox.newPermitEnd')}<input name='permitValidUntil' type='date' required min={todayIn(timeZone)} value={permit} onInput={(e) => setPermit(e.currentTarget.value)} /></label>
    </ActionForm>
  )
}
