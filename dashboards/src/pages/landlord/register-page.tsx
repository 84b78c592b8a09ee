// Registering a tenant in one form: identity (the ID number checked as it is
// typed, with the platform's own rules), stay, permit and lease dates,
// accompanying minors, and their first credential.

import { useMemo, useState } from 'preact/hooks'
import { validateIdNumber } from '../../../../contract/national-id.ts'
import type { RegisterReply } from '../../../../contract/routes/registry-routes.ts'
import { addMonths, PERMIT_MAX_MONTHS } from '../../../../contract/permit-dates.ts'
import { PERMIT_TYPES, type PermitType } from '../../../../contract/schemas/registry.ts'
import { ID_TYPES, type IdType } from '../../../../contract/vocabulary.ts'
import { ErrorText } from '../../components/error-text.tsx'
import { Loaded } from '../../components/loading.tsx'
import { QrImage } from '../../components/qr-image.tsx'
import { todayIn, zonedInstant } from '../../format.ts'
import { t } from '../../i18n/index.ts'
import { href } from '../../router.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'

type CredentialChoice = 'card' | 'qr' | 'pin' | 'none'

export function RegisterPage ({ roomId }: { roomId: string }) {
  const room = useData(async () => {
    const r = await api.request('GET /rooms/:id', { params: { id: roomId } })
    const building = await api.request('GET /buildings/:id', { params: { id: r.buildingId } })
    return { ...r, timeZone: building.timeZone }
  }, [roomId])
  const [done, setDone] = useState<RegisterReply | undefined>()
  return (
    <Loaded data={room}>
      {(r) => (
        <section>
          <p><a href={href(`/landlord/rooms/${encodeURIComponent(r.id)}`)}>← {t('landlord.room.heading', { number: r.number })}</a></p>
          <h1>{t('landlord.register.title', { number: r.number })}</h1>
          {done === undefined ? <RegisterForm roomId={r.id} timeZone={r.timeZone} onDone={setDone} /> : <Registered reply={done} roomId={r.id} />}
        </section>
      )}
    </Loaded>
  )
}

// Dates are the building's: "today" and an arrival day's noon are read in its time zone.
function RegisterForm ({ roomId, timeZone, onDone }: { roomId: string; timeZone: string; onDone: (r: RegisterReply) => void }) {
  const [name, setName] = useState('')
  const [idType, setIdType] = useState<IdType>('resident_id')
  const [idNumber, setIdNumber] = useState('')
  const [phone, setPhone] = useState('')
  const [householdAddress, setHouseholdAddress] = useState('')
  const [employer, setEmployer] = useState('')
  const [arrived, setArrived] = useState(todayIn(timeZone))
  const [leaseUntil, setLeaseUntil] = useState('')
  const [permitValidUntil, setPermitValidUntil] = useState('')
  const [permitType, setPermitType] = useState<PermitType | ''>('')
  const [minors, setMinors] = useState(0)
  const [credential, setCredential] = useState<CredentialChoice>('card')
  const [credentialValue, setCredentialValue] = useState('')
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)

  const idCheck = useMemo(() => (idNumber.trim() === '' ? undefined : validateIdNumber(idType, idNumber)), [idType, idNumber])

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    if (idCheck === undefined || !idCheck.ok) return
    setBusy(true)
    setError(undefined)
    try {
      const reply = await api.request('POST /rooms/:id/registrations', {
        params: { id: roomId },
        body: {
          resident: {
            name: name.trim(), idType, idNumber: idCheck.normalized,
            ...(phone.trim() === '' ? {} : { phone: phone.trim() }),
            ...(householdAddress.trim() === '' ? {} : { householdAddress: householdAddress.trim() }),
            ...(employer.trim() === '' ? {} : { employer: employer.trim() }),
          },
          ...(arrived === todayIn(timeZone) ? {} : { arrivedAt: zonedInstant(arrived, '12:00', timeZone) }),
          ...(leaseUntil === '' ? {} : { leaseUntil }),
          ...(permitValidUntil === '' ? {} : { permitValidUntil }),
          ...(permitType === '' || permitValidUntil === '' ? {} : { permitType }),
          minors,
          credentials: credential === 'none' ? [] : [{ kind: credential, ...(credential === 'qr' ? {} : { value: credentialValue.trim() }) }],
        },
      })
      onDone(reply)
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }

  const idInvalid = idCheck !== undefined && !idCheck.ok
  return (
    <form class='form' onSubmit={submit} aria-label={t('landlord.register.open')}>
      <fieldset>
        <legend>{t('landlord.register.person')}</legend>
        <label>{t('landlord.register.name')}<input name='name' required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>
        <label>
          {t('landlord.register.idType')}
          <select name='idType' value={idType} onChange={(e) => setIdType(e.currentTarget.value as IdType)}>
            {ID_TYPES.map((x) => <option key={x} value={x}>{t(`idType.${x}`)}</option>)}
          </select>
        </label>
        <label>
          {t('landlord.register.idNumber')}
          <input
            name='idNumber' required autocomplete='off' spellcheck={false} maxLength={32} value={idNumber}
            aria-invalid={idInvalid} aria-describedby='id-check' onInput={(e) => setIdNumber(e.currentTarget.value)}
          />
        </label>
        <p id='id-check' class={idInvalid ? 'error' : 'muted'} aria-live='polite'>
          {idCheck === undefined ? t('landlord.register.idHint') : idCheck.ok ? t('landlord.register.idOk') : t(`landlord.idError.${idCheck.code}`)}
        </p>
        <label>{t('landlord.register.phone')} <small>{t('common.optional')}</small><input name='phone' type='tel' value={phone} onInput={(e) => setPhone(e.currentTarget.value)} /></label>
        <label>{t('landlord.register.household')} <small>{t('common.optional')}</small><input name='householdAddress' maxLength={200} value={householdAddress} onInput={(e) => setHouseholdAddress(e.currentTarget.value)} /></label>
        <label>{t('landlord.register.employer')} <small>{t('common.optional')}</small><input name='employer' maxLength={200} value={employer} onInput={(e) => setEmployer(e.currentTarget.value)} /></label>
      </fieldset>
      <fieldset>
        <legend>{t('landlord.register.stay')}</legend>
        <label>{t('landlord.register.arrived')}<input name='arrived' type='date' required max={todayIn(timeZone)} value={arrived} onInput={(e) => setArrived(e.currentTarget.value)} /></label>
        <label>{t('landlord.tenant.lease')} <small>{t('common.optional')}</small><input name='leaseUntil' type='date' value={leaseUntil} onInput={(e) => setLeaseUntil(e.currentTarget.value)} /></label>
        <label>
          {t('landlord.permit.type')} <small>{t('common.optional')}</small>
          <select name='permitType' value={permitType} onChange={(e) => setPermitType(e.currentTarget.value as PermitType | '')}>
            <option value=''>{t('landlord.permit.type.none')}</option>
            {PERMIT_TYPES.map((x) => <option key={x} value={x}>{t(`permitType.${x}`)}</option>)}
          </select>
        </label>
        <label>
          {t('landlord.tenant.permit')} <small>{permitType === '' ? t('common.optional') : t(`landlord.permit.max.${permitType}`)}</small>
          <input
            name='permitValidUntil' type='date' required={permitType !== ''} value={permitValidUntil}
            max={permitType === '' ? undefined : addMonths(todayIn(timeZone), PERMIT_MAX_MONTHS[permitType])}
            onInput={(e) => setPermitValidUntil(e.currentTarget.value)}
          />
        </label>
        <label>{t('landlord.tenant.minors')}<input name='minors' type='number' min={0} max={20} value={minors} onInput={(e) => setMinors(Number(e.currentTarget.value))} /></label>
      </fieldset>
      <fieldset>
        <legend>{t('landlord.register.credential')}</legend>
        <div role='radiogroup' class='choices'>
          {(['card', 'qr', 'pin', 'none'] as const).map((c) => (
            <label key={c} class='choice'>
              <input type='radio' name='credential' value={c} checked={credential === c} onChange={() => setCredential(c)} />
              {c === 'none' ? t('landlord.register.noCredential') : t(`credentialKind.${c}`)}
            </label>
          ))}
        </div>
        {credential === 'card' && (
          <label>
            {t('landlord.register.cardNumber')}
            <input
              name='credentialValue' required autocomplete='off' spellcheck={false} value={credentialValue}
              pattern='[0-9A-Fa-f]{4,32}' onInput={(e) => setCredentialValue(e.currentTarget.value)}
            />
          </label>
        )}
        {credential === 'pin' && (
          <label>
            {t('landlord.register.pin')}
            <input
              name='credentialValue' type='password' required autocomplete='new-password' inputMode='numeric' value={credentialValue}
              pattern='[0-9]{4,8}' onInput={(e) => setCredentialValue(e.currentTarget.value)}
            />
          </label>
        )}
        {credential === 'qr' && <p class='muted'>{t('landlord.register.qrHint')}</p>}
      </fieldset>
      <ErrorText error={error} />
      <button type='submit' class='primary' disabled={busy || idInvalid}>{t('landlord.register.submit')}</button>
    </form>
  )
}

function Registered ({ reply, roomId }: { reply: RegisterReply; roomId: string }) {
  return (
    <div class='card' role='status'>
      <h2>{t('landlord.register.done', { name: reply.registration.resident.name })}</h2>
      {reply.registration.status === 'pending' && <p class='warn'>{t('landlord.register.pendingMove')}</p>}
      {reply.overCapacity && <p class='warn'>{t('landlord.register.overCapacity')}</p>}
      {reply.credentials.map((c) => (
        <div key={c.id}>
          <p>{t(`credentialKind.${c.kind}`)}：{c.kind === 'pin' ? '••••' : c.value}</p>
          {c.kind === 'qr' && <QrImage text={c.value} label={t('landlord.register.qrLabel')} />}
        </div>
      ))}
      <p><a href={href(`/landlord/rooms/${encodeURIComponent(roomId)}`)}>{t('common.back')}</a></p>
    </div>
  )
}
