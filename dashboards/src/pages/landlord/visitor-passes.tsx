// A room's visitor passes: issued with the visitor's name and how long the
// pass lasts, each shown with its QR code (drawn in the page) to hand over,
// copy or print, and revoked when the visit ends early.

import { useRef, useState } from 'preact/hooks'
import { MAX_VISITOR_PASS_DAYS } from '../../../../contract/routes/registry-routes.ts'
import type { Building, Credential, Room } from '../../../../contract/schemas/registry.ts'
import { Loaded } from '../../components/loading.tsx'
import { QrImage } from '../../components/qr-image.tsx'
import { formatDateTime, todayIn, zonedInstant } from '../../format.ts'
import { t } from '../../i18n/index.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'
import { SiteError } from './site-error.tsx'
import { reasonText } from './tenant-credentials.tsx'
import { useAction } from '../../use-action.ts'

const DAY = 86_400_000

/** YYYY-MM-DD `days` after today in the zone. */
const dayAfter = (days: number, timeZone: string): string => new Date(Date.parse(`${todayIn(timeZone)}T12:00:00Z`) + days * DAY).toISOString().slice(0, 10)

export function VisitorPasses ({ room, building }: { room: Room; building: Building }) {
  const [all, setAll] = useState(false)
  const passes = useData(async () => await api.request('GET /rooms/:id/visitor-passes', { params: { id: room.id }, query: all ? {} : { active: true } }), [room.id, all])
  const [issuing, setIssuing] = useState(false)
  return (
    <section aria-labelledby='passes-title'>
      <h2 id='passes-title'>{t('landlordSite.passes.title')}</h2>
      <label class='choice'>
        <input type='checkbox' checked={all} onChange={(e) => setAll(e.currentTarget.checked)} /> {t('landlordSite.passes.showEnded')}
      </label>
      <Loaded data={passes}>
        {(list) => list.length === 0
          ? <p>{t('landlordSite.passes.none')}</p>
          : <div class='passes'>{list.map((p) => <PassCard key={p.id} pass={p} room={room} building={building} onChanged={passes.reload} />)}</div>}
      </Loaded>
      {issuing
        ? <IssuePass room={room} timeZone={building.timeZone} onDone={() => { setIssuing(false); passes.reload() }} onCancel={() => setIssuing(false)} />
        : <p><button type='button' class='primary' onClick={() => setIssuing(true)}>{t('landlordSite.passes.issue')}</button></p>}
    </section>
  )
}

function PassCard ({ pass: p, room, building, onChanged }: { pass: Credential; room: Room; building: Building; onChanged: () => void }) {
  const [asking, setAsking] = useState(false)
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no')
  const { busy, error, run } = useAction()
  const card = useRef<HTMLElement>(null)
  const name = p.visitorName ?? '—'
  const expired = p.validUntil !== null && Date.parse(p.validUntil) <= Date.now()
  const live = p.status === 'active' && !expired
  const tz = building.timeZone
  const revoke = async (): Promise<void> => await run(async () => {
    await api.request('POST /credentials/:id/revoke', { params: { id: p.id }, body: { reason: 'revoked_by_landlord' } })
    onChanged()
  })
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(p.value)
      setCopied('yes')
    } catch {
      setCopied('failed')
    }
  }
  const print = (): void => {
    // Only this pass is printed (styles.css: .print-one).
    card.current?.classList.add('print-target')
    document.body.classList.add('print-one')
    window.print()
    document.body.classList.remove('print-one')
    card.current?.classList.remove('print-target')
  }
  return (
    <article class='card pass' ref={card} aria-label={t('landlordSite.passes.visitor', { name })} data-credential-id={p.id}>
      <p class='print-only'>{t('landlordSite.passes.printHeading', { building: building.name, room: room.number })}</p>
      <h3>{t('landlordSite.passes.visitor', { name })} <span class='badge'>{expired && p.status === 'active' ? t('landlordSite.passes.expired') : t(`credentialStatus.${p.status}`)}</span></h3>
      <p>{t('landlordSite.passes.valid', { from: formatDateTime(p.validFrom ?? p.issuedAt, tz), until: formatDateTime(p.validUntil, tz) })}</p>
      {p.revokeReason !== null && <p class='muted'>{t('landlordSite.cred.revokedBecause', { reason: reasonText(p.revokeReason) })}</p>}
      {live && p.kind === 'qr' && !p.value.startsWith('…') && (
        <>
          <QrImage text={p.value} label={t('landlordSite.passes.qrLabel', { name })} size={180} />
          <p class='pass-code'><span class='muted'>{t('landlordSite.passes.code')}</span> <code>{p.value}</code></p>
        </>
      )}
      {live && !asking && (
        <div class='actions no-print'>
          {p.kind === 'qr' && <button type='button' onClick={() => { void copy() }}>{t('landlordSite.passes.copy')}</button>}
          {p.kind === 'qr' && <button type='button' onClick={print}>{t('landlordSite.passes.print')}</button>}
          <button type='button' class='danger' onClick={() => setAsking(true)}>{t('landlordSite.cred.revoke')}</button>
        </div>
      )}
      {copied !== 'no' && <p role='status' class='no-print'>{copied === 'yes' ? t('landlordSite.passes.copied') : t('landlordSite.passes.copyFailed')}</p>}
      {asking && (
        <div class='confirm no-print' role='group' aria-label={t('landlordSite.cred.revoke')}>
          <p>{t('landlordSite.cred.confirmRevoke', { what: t('landlordSite.passes.visitor', { name }) })}</p>
          <div class='actions'>
            <button type='button' class='danger' disabled={busy} onClick={() => { void revoke() }}>{t('landlordSite.cred.confirm')}</button>
            <button type='button' onClick={() => setAsking(false)}>{t('common.cancel')}</button>
          </div>
        </div>
      )}
      <SiteError error={error} />
    </article>
  )
}

function IssuePass ({ room, timeZone, onDone, onCancel }: { room: Room; timeZone: string; onDone: () => void; onCancel: () => void }) {
  const [name, setName] = useState('')
  const [date, setDate] = useState(dayAfter(1, timeZone))
  const [time, setTime] = useState('12:00')
  const { busy, error, run } = useAction()
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    await run(async () => {
      await api.request('POST /rooms/:id/visitor-passes', { params: { id: room.id }, body: { visitorName: name.trim(), validUntil: zonedInstant(date, time, timeZone) } })
      onDone()
    })
  }
  return (
    <form onSubmit={submit} class='inline-form' aria-label={t('landlordSite.passes.issue')}>
      <label>{t('landlordSite.passes.name')}<input name='visitorName' required maxLength={64} value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>
      <label>
        {t('landlordSite.passes.until')}
        <span class='row'>
          <input name='validUntilDate' type='date' required min={todayIn(timeZone)} max={dayAfter(MAX_VISITOR_PASS_DAYS, timeZone)} value={date} onInput={(e) => setDate(e.currentTarget.value)} aria-describedby='pass-hint' />
          <input name='validUntilTime' type='time' required value={time} onInput={(e) => setTime(e.currentTarget.value)} aria-label={t('landlordSite.passes.until')} />
        </span>
      </label>
      <p class='muted' id='pass-hint'>{t('landlordSite.passes.untilHint', { days: MAX_VISITOR_PASS_DAYS })}</p>
      <SiteError error={error} />
      <div class='actions'>
        <button type='submit' class='primary' disabled={busy}>{t('landlordSite.passes.submit')}</button>
        <button type='button' onClick={onCancel}>{t('common.cancel')}</button>
      </div>
    </form>
  )
}
