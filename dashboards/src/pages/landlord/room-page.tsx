// One room: who is registered, their cards, and the landlord's actions:
// register a tenant, deregister with reason and date, renew a permit; issue,
// enrol by swiping, revoke or report lost a card; the room's visitor passes.

import { PERMIT_TYPES, type PermitType } from '../../../../contract/schemas/registry.ts'
import { useState } from 'preact/hooks'
import type { Registration } from '../../../../contract/schemas/registry.ts'
import { ErrorText } from '../../components/error-text.tsx'
import { Loaded } from '../../components/loading.tsx'
import { formatDate, formatDateTime, todayIn, zonedInstant } from '../../format.ts'
import { t } from '../../i18n/index.ts'
import { href } from '../../router.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'
import { TenantCredentials } from './tenant-credentials.tsx'
import { VisitorPasses } from './visitor-passes.tsx'

export function RoomPage ({ id }: { id: string }) {
  const data = useData(async () => {
    const room = await api.request('GET /rooms/:id', { params: { id } })
    const [building, registrations] = await Promise.all([
      api.request('GET /buildings/:id', { params: { id: room.buildingId } }),
      api.request('GET /rooms/:id/registrations', { params: { id } }),
    ])
    return { room, building, registrations: registrations.filter((r) => r.status === 'active' || r.status === 'pending') }
  }, [id])
  return (
    <Loaded data={data}>
      {({ room, building, registrations }) => (
        <section>
          <p><a href={href(`/landlord/buildings/${encodeURIComponent(building.id)}`)}>← {building.name}</a></p>
          <h1>{t('landlord.room.heading', { number: room.number })}</h1>
          <p>{t('landlord.room.summary', { registered: room.registered, capacity: room.capacity })}</p>
          <p><a class='button primary' href={href(`/landlord/rooms/${encodeURIComponent(room.id)}/register`)}>{t('landlord.register.open')}</a></p>
          <h2>{t('landlord.tenants.title')}</h2>
          {registrations.length === 0
            ? <p>{t('landlord.tenants.none')}</p>
            : registrations.map((r) => <TenantCard key={r.id} registration={r} timeZone={building.timeZone} onChanged={data.reload} />)}

          <VisitorPasses room={room} building={building} />
        </section>
      )}
    </Loaded>
  )
}

function TenantCard ({ registration: r, timeZone, onChanged }: { registration: Registration; timeZone: string; onChanged: () => void }) {
  const [mode, setMode] = useState<'none' | 'deregister' | 'renew'>('none')
  return (
    <article class='card' aria-label={r.resident.name}>
      <h3>{r.resident.name} <span class='badge'>{t(`registrationStatus.${r.status}`)}</span></h3>
      <dl class='facts'>
        <dt>{t('landlord.tenant.idNumber')}</dt><dd>{t(`idType.${r.resident.idType as 'resident_id'}`)} {r.resident.idNumberMasked}</dd>
        <dt>{t('landlord.tenant.arrived')}</dt><dd>{formatDateTime(r.arrivedAt, timeZone)}</dd>
        <dt>{t('landlord.tenant.lease')}</dt><dd>{formatDate(r.leaseUntil, timeZone)}</dd>
        <dt>{t('landlord.tenant.permit')}</dt>
        <dd>
          {formatDate(r.permitValidUntil, timeZone)}{r.permitType === null ? '' : ` · ${t(`permitType.${r.permitType}`)}`}
          {r.permitLapsedAt !== null && <span class='warn'> {t('landlord.permit.lapsed')}</span>}
        </dd>
        <dt>{t('landlord.tenant.minors')}</dt><dd>{r.minors}</dd>
        <dt>{t('landlord.tenant.credentials')}</dt>
        <dd><TenantCredentials registration={r} timeZone={timeZone} /></dd>
      </dl>
      {mode === 'none' && (
        <div class='actions'>
          <button type='button' onClick={() => setMode('deregister')}>{t('landlord.deregister.open')}</button>
          <button type='button' onClick={() => setMode('renew')}>{t('landlord.renew.open')}</button>
        </div>
      )}
      {mode === 'deregister' && <DeregisterForm registration={r} timeZone={timeZone} onDone={() => { setMode('none'); onChanged() }} onCancel={() => setMode('none')} />}
      {mode === 'renew' && <RenewForm registration={r} timeZone={timeZone} onDone={() => { setMode('none'); onChanged() }} onCancel={() => setMode('none')} />}
    </article>
  )
}

const DEPARTURE_REASONS = ['moved_out', 'lease_ended', 'permit_expired', 'other'] as const

function DeregisterForm ({ registration, timeZone, onDone, onCancel }: { registration: Registration; timeZone: string; onDone: () => void; onCancel: () => void }) {
  const [reason, setReason] = useState<(typeof DEPARTURE_REASONS)[number]>('moved_out')
  const [other, setOther] = useState('')
  const [date, setDate] = useState(todayIn(timeZone))
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    setBusy(true)
    try {
      // Today: now. An earlier day: its noon in the building's zone.
      const departedAt = date === todayIn(timeZone) ? undefined : zonedInstant(date, '12:00', timeZone)
      await api.request('POST /registrations/:id/deregister', {
        params: { id: registration.id },
        body: { reason: reason === 'other' ? other.trim() : reason, ...(departedAt === undefined ? {} : { departedAt }) },
      })
      onDone()
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <form onSubmit={submit} class='inline-form' aria-label={t('landlord.deregister.open')}>
      <label>
        {t('landlord.deregister.reason')}
        <select value={reason} onChange={(e) => setReason(e.currentTarget.value as typeof reason)}>
          {DEPARTURE_REASONS.map((r) => <option key={r} value={r}>{t(`landlord.departure.${r}`)}</option>)}
        </select>
      </label>
      {reason === 'other' && (
        <label>{t('landlord.deregister.otherReason')}<input required maxLength={200} value={other} onInput={(e) => setOther(e.currentTarget.value)} /></label>
      )}
      <label>{t('landlord.deregister.date')}<input type='date' required max={todayIn(timeZone)} value={date} onInput={(e) => setDate(e.currentTarget.value)} /></label>
      <ErrorText error={error} />
      <div class='actions'>
        <button type='submit' class='danger' disabled={busy}>{t('landlord.deregister.submit')}</button>
        <button type='button' onClick={onCancel}>{t('common.cancel')}</button>
      </div>
    </form>
  )
}

function RenewForm ({ registration, timeZone, onDone, onCancel }: { registration: Registration; timeZone: string; onDone: () => void; onCancel: () => void }) {
  const [permit, setPermit] = useState(registration.permitValidUntil ?? '')
  const [permitType, setPermitType] = useState<PermitType | ''>(registration.permitType ?? '')
  const [lease, setLease] = useState(registration.leaseUntil ?? '')
  const [error, setError] = useState<unknown>()
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    try {
      await api.request('POST /registrations/:id/renew', {
        params: { id: registration.id },
        body: { permitValidUntil: permit, ...(permitType === '' ? {} : { permitType }), ...(lease === '' ? {} : { leaseUntil: lease }) },
      })
      onDone()
    } catch (err) {
      setError(err)
    }
  }
  return (
    <form onSubmit={submit} class='inline-form' aria-label={t('landlord.renew.open')}>
      <label>
        {t('landlord.permit.type')}
        <select name='permitType' value={permitType} onChange={(e) => setPermitType(e.currentTarget.value as PermitType | '')}>
          <option value=''>{t('landlord.permit.type.none')}</option>
          {PERMIT_TYPES.map((x) => <option key={x} value={x}>{t(`permitType.${x}`)}</option>)}
        </select>
      </label>
      <label>{t('landlord.tenant.permit')}<input type='date' required min={todayIn(timeZone)} value={permit} onInput={(e) => setPermit(e.currentTarget.value)} /></label>
      <label>{t('landlord.tenant.lease')}<input type='date' value={lease} onInput={(e) => setLease(e.currentTarget.value)} /></label>
      <ErrorText error={error} />
      <div class='actions'>
        <button type='submit' class='primary'>{t('landlord.renew.submit')}</button>
        <button type='button' onClick={onCancel}>{t('common.cancel')}</button>
      </div>
    </form>
  )
}
