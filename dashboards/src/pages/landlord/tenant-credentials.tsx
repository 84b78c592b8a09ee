// A tenant's cards, QR codes and PINs on the room page: each shown masked
// (`…3F9A`), revoked or reported lost; a new one issued by value, or enrolled
// by swiping: the tenant presents the card at a door of the building and the
// landlord picks it from the cards just presented there.

import { useState } from 'preact/hooks'
import type { Credential, Registration } from '../../../../contract/schemas/registry.ts'
import type { CredentialKind } from '../../../../contract/vocabulary.ts'
import { Loaded } from '../../components/loading.tsx'
import { QrImage } from '../../components/qr-image.tsx'
import { formatDateTime } from '../../format.ts'
import { hasText, t } from '../../i18n/index.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'
import { SiteError } from './site-error.tsx'
import { useAction } from '../../use-action.ts'
import { maskCredentialValue } from '../../../../contract/masking.ts'

/** What a credential's value looks like on screen: never in full. */
export function maskedValue (c: Pick<Credential, 'kind' | 'value'>): string {
  if (c.kind === 'pin') return ''
  if (c.value.startsWith('…')) return c.value
  return maskCredentialValue(c.value)
}

export const credentialLabel = (c: Pick<Credential, 'kind' | 'value'>): string =>
  t('landlordSite.cred.masked', { kind: t(`credentialKind.${c.kind}`), value: maskedValue(c) }).trim()

/** A revocation reason in words, when it is one the consoles give. */
export function reasonText (reason: string): string {
  const key = `landlordSite.cred.reason.${reason}`
  return hasText(key) ? t(key) : reason
}

type Tool = 'none' | 'issue' | 'swipe'

export function TenantCredentials ({ registration: r, timeZone }: { registration: Registration; timeZone: string }) {
  const name = r.resident.name
  const creds = useData(async () => await api.request('GET /registrations/:id/credentials', { params: { id: r.id } }), [r.id])
  const [tool, setTool] = useState<Tool>('none')
  const [done, setDone] = useState<string | undefined>()
  const finished = (message: string): void => { setTool('none'); setDone(message); creds.reload() }
  return (
    <div class='tenant-credentials'>
      <Loaded data={creds}>
        {(cs) => cs.length === 0
          ? <p>{t('common.none')}</p>
          : (
            <ul class='credential-list'>
              {cs.map((c) => <CredentialRow key={c.id} credential={c} holder={name} timeZone={timeZone} onChanged={creds.reload} />)}
            </ul>
            )}
      </Loaded>
      {done !== undefined && <p role='status' class='ok-text'>{done}</p>}
      {tool === 'none' && (
        <div class='actions'>
          <button type='button' onClick={() => { setDone(undefined); setTool('issue') }}>{t('landlordSite.issue.open')}</button>
          <button type='button' onClick={() => { setDone(undefined); setTool('swipe') }}>{t('landlordSite.swipe.open')}</button>
        </div>
      )}
      {tool === 'issue' && <IssueForm registration={r} onDone={(c) => finished(t('landlordSite.issue.done', { what: credentialLabel(c) }))} onCancel={() => setTool('none')} />}
      {tool === 'swipe' && <SwipeEnrol registration={r} timeZone={timeZone} onDone={(c) => finished(t('landlordSite.swipe.done', { what: credentialLabel(c) }))} onCancel={() => setTool('none')} />}
    </div>
  )
}

function CredentialRow ({ credential: c, holder, timeZone, onChanged }: { credential: Credential; holder: string; timeZone: string; onChanged: () => void }) {
  const [asking, setAsking] = useState<'none' | 'lost' | 'revoked_by_landlord'>('none')
  const [showQr, setShowQr] = useState(false)
  const { busy, error, run } = useAction()
  const label = credentialLabel(c)
  const revoke = async (reason: 'lost' | 'revoked_by_landlord'): Promise<void> => await run(async () => {
    await api.request('POST /credentials/:id/revoke', { params: { id: c.id }, body: { reason } })
    setAsking('none')
    onChanged()
  })
  const canRevoke = c.status === 'active' || c.status === 'pending'
  const cards = c.kind === 'card' || c.kind === 'ic_card'
  // The landlord gets a QR token to hand to its holder: drawn on request, never as text.
  const qr = c.kind === 'qr' && canRevoke && !c.value.startsWith('…')
  return (
    <li class='credential' data-credential-id={c.id}>
      <span class={c.status === 'revoked' ? 'badge muted' : 'badge'}>{label}</span>
      {' '}<span>{t(`credentialStatus.${c.status}`)}</span>
      {c.validUntil !== null && <span class='muted'> · {t('landlordSite.cred.validUntil', { at: formatDateTime(c.validUntil, timeZone) })}</span>}
      {c.revokeReason !== null && <span class='muted'> · {t('landlordSite.cred.revokedBecause', { reason: reasonText(c.revokeReason) })}</span>}
      {canRevoke && asking === 'none' && (
        <span class='inline-actions'>
          {qr && <button type='button' class='small' aria-expanded={showQr} onClick={() => setShowQr(!showQr)}>{showQr ? t('landlordSite.cred.hideQr') : t('landlordSite.cred.showQr')}</button>}
          {cards && <button type='button' class='small' onClick={() => setAsking('lost')} aria-label={`${t('landlordSite.cred.lost')} ${label}`}>{t('landlordSite.cred.lost')}</button>}
          <button type='button' class='small' onClick={() => setAsking('revoked_by_landlord')} aria-label={`${t('landlordSite.cred.revoke')} ${label}`}>{t('landlordSite.cred.revoke')}</button>
        </span>
      )}
      {qr && showQr && <div><QrImage text={c.value} label={t('landlordSite.cred.qrLabel', { name: holder })} size={160} /></div>}
      {asking !== 'none' && (
        <div class='confirm' role='group' aria-label={asking === 'lost' ? t('landlordSite.cred.lost') : t('landlordSite.cred.revoke')}>
          <p>{asking === 'lost' ? t('landlordSite.cred.confirmLost', { what: label }) : t('landlordSite.cred.confirmRevoke', { what: label })}</p>
          <div class='actions'>
            <button type='button' class='danger' disabled={busy} onClick={() => { void revoke(asking) }}>{t('landlordSite.cred.confirm')}</button>
            <button type='button' onClick={() => setAsking('none')}>{t('common.cancel')}</button>
          </div>
        </div>
      )}
      <SiteError error={error} />
    </li>
  )
}

const ISSUABLE: readonly CredentialKind[] = ['card', 'ic_card', 'qr', 'pin']

function IssueForm ({ registration, onDone, onCancel }: { registration: Registration; onDone: (c: Credential) => void; onCancel: () => void }) {
  const [kind, setKind] = useState<CredentialKind>('card')
  const [value, setValue] = useState('')
  const { busy, error, run } = useAction()
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    await run(async () => {
      const v = value.trim()
      onDone(await api.request('POST /registrations/:id/credentials', { params: { id: registration.id }, body: { kind, ...(v === '' ? {} : { value: v }) } }))
    })
  }
  return (
    <form onSubmit={submit} class='inline-form' aria-label={t('landlordSite.issue.open')}>
      <label>
        {t('landlordSite.issue.kind')}
        <select name='credentialKind' value={kind} onChange={(e) => setKind(e.currentTarget.value as CredentialKind)}>
          {ISSUABLE.map((k) => <option key={k} value={k}>{t(`credentialKind.${k}`)}</option>)}
        </select>
      </label>
      {kind !== 'qr' && (
        <label>
          {t('landlordSite.issue.value')}
          {kind === 'pin'
            ? <input name='credentialValue' type='password' required maxLength={8} autocomplete='off' inputMode='numeric' value={value} onInput={(e) => setValue(e.currentTarget.value)} aria-describedby='issue-hint' />
            : <input name='credentialValue' required maxLength={128} autocomplete='off' value={value} onInput={(e) => setValue(e.currentTarget.value)} aria-describedby='issue-hint' />}
        </label>
      )}
      <p class='muted' id='issue-hint'>{t('landlordSite.issue.valueHint')}</p>
      <SiteError error={error} />
      <div class='actions'>
        <button type='submit' class='primary' disabled={busy}>{t('landlordSite.issue.submit')}</button>
        <button type='button' onClick={onCancel}>{t('common.cancel')}</button>
      </div>
    </form>
  )
}

function SwipeEnrol ({ registration, timeZone, onDone, onCancel }: { registration: Registration; timeZone: string; onDone: (c: Credential) => void; onCancel: () => void }) {
  const seen = useData(async () => await api.request('GET /buildings/:id/unknown-credentials', { params: { id: registration.buildingId } }), [registration.buildingId])
  const { busy, error, run } = useAction()
  const enrol = async (ref: string): Promise<void> => await run(async () => {
    try {
      onDone(await api.request('POST /registrations/:id/credentials', { params: { id: registration.id }, body: { fromPresentation: ref } }))
    } finally {
      seen.reload()
    }
  })
  return (
    <div class='inline-form wide' role='group' aria-label={t('landlordSite.swipe.open')}>
      <Loaded data={seen}>
        {(list) => (
          <>
            <p>{t('landlordSite.swipe.intro', { minutes: list.windowMinutes })}</p>
            {list.items.length === 0
              ? <p class='muted'>{t('landlordSite.swipe.none')}</p>
              : (
                <table>
                  <thead>
                    <tr>
                      <th scope='col'>{t('landlordSite.swipe.card')}</th>
                      <th scope='col'>{t('landlordSite.swipe.door')}</th>
                      <th scope='col'>{t('landlordSite.swipe.at')}</th>
                      <th scope='col'>{t('landlordSite.swipe.result')}</th>
                      <th scope='col'>{t('landlordSite.swipe.count')}</th>
                      <th scope='col'>{t('common.actions')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.items.map((p) => (
                      <tr key={p.ref}>
                        <td>{t(`credentialKind.${p.kind}`)} {p.valueMasked}</td>
                        <td>{p.door}</td>
                        <td>{formatDateTime(p.at, timeZone)}</td>
                        <td>{t(`landlordSite.swipe.result.${p.result}`)}</td>
                        <td>{p.count}</td>
                        <td>
                          {p.heldElsewhere
                            ? <span class='muted'>{t('landlordSite.swipe.heldElsewhere')}</span>
                            : <button type='button' class='primary small' disabled={busy} onClick={() => { void enrol(p.ref) }} aria-label={`${t('landlordSite.swipe.enrol')} ${p.valueMasked}`}>{t('landlordSite.swipe.enrol')}</button>}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                )}
          </>
        )}
      </Loaded>
      <SiteError error={error} />
      <div class='actions'>
        <button type='button' onClick={seen.reload}>{t('landlordSite.swipe.refresh')}</button>
        <button type='button' onClick={onCancel}>{t('common.cancel')}</button>
      </div>
    </div>
  )
}
