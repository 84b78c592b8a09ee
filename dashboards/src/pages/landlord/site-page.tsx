// A building's site: its devices (online or not, last connected, whether the
// allow-list reaches them), opening a door remotely with a stated reason (the
// platform audits it; the device's answer is shown), and the security
// responsibility agreement (signed when, or sign it).

import { useEffect, useState } from 'preact/hooks'
import type { CommandRecord } from '../../../../contract/routes/device-routes.ts'
import type { Building, Device, DeviceStats } from '../../../../contract/schemas/registry.ts'
import { Loaded } from '../../components/loading.tsx'
import { formatDate, formatDateTime } from '../../format.ts'
import { t } from '../../i18n/index.ts'
import { href } from '../../router.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'
import { SiteError } from './site-error.tsx'
import { useAction } from '../../use-action.ts'

export function SitePage ({ id }: { id: string }) {
  const data = useData(async () => {
    const [building, devices] = await Promise.all([
      api.request('GET /buildings/:id', { params: { id } }),
      api.request('GET /buildings/:id/devices', { params: { id } }),
    ])
    const states = await Promise.all(devices.map(async (d) => (await api.request('GET /devices/:id', { params: { id: d.id } })).status))
    return { building, devices: devices.map((device, i) => ({ device, status: states[i]! })).sort((a, b) => a.device.door.localeCompare(b.device.door)) }
  }, [id])
  return (
    <Loaded data={data}>
      {({ building, devices }) => (
        <section>
          <p><a href={href(`/landlord/buildings/${encodeURIComponent(building.id)}`)}>← {building.name}</a></p>
          <h1>{t('landlordSite.site.title', { building: building.name })}</h1>
          <Agreement building={building} onChanged={data.reload} />
          <h2>{t('landlordSite.devices.title')} <button type='button' class='small' onClick={data.reload}>{t('common.refresh')}</button></h2>
          {devices.length === 0
            ? <p>{t('landlordSite.devices.none')}</p>
            : (
              <table>
                <thead>
                  <tr>
                    <th scope='col'>{t('landlordSite.devices.door')}</th>
                    <th scope='col'>{t('landlordSite.devices.kind')}</th>
                    <th scope='col'>{t('landlordSite.devices.model')}</th>
                    <th scope='col'>{t('landlordSite.devices.state')}</th>
                    <th scope='col'>{t('landlordSite.devices.lastSeen')}</th>
                    <th scope='col'>{t('landlordSite.devices.allowlist')}</th>
                    <th scope='col'>{t('landlordSite.devices.actions')}</th>
                  </tr>
                </thead>
                <tbody>
                  {devices.map(({ device: d, status }) => (
                    <DeviceRow key={d.id} device={d} status={status} timeZone={building.timeZone} />
                  ))}
                </tbody>
              </table>
              )}
        </section>
      )}
    </Loaded>
  )
}

interface DeviceRowProps { device: Device; status: Pick<DeviceStats, 'connected' | 'lastConnectedAt' | 'lastDisconnectedAt'>; timeZone: string }

const STATE_TEXT = { online: 'landlordSite.devices.online', offline: 'landlordSite.devices.offline', disabled: 'landlordSite.devices.disabled' } as const
function DeviceRow ({ device: d, status: { connected, lastConnectedAt, lastDisconnectedAt }, timeZone }: DeviceRowProps) {
  const [opening, setOpening] = useState(false)
  const state = !d.enabled ? 'disabled' : connected ? 'online' : 'offline'
  return (
    <>
      <tr data-device-id={d.id} class={state === 'online' ? undefined : 'row-warn'}>
        <td>{d.door}</td>
        <td>{t(`deviceKind.${d.kind}`)}</td>
        <td>{d.vendor} {d.model}</td>
        <td><span class={state === 'online' ? 'badge ok' : 'badge warn'}>{t(STATE_TEXT[state])}</span></td>
        <td>
          {connected
            ? t('landlordSite.devices.onlineSince', { at: formatDateTime(lastConnectedAt, timeZone) })
            : lastDisconnectedAt !== null
              ? t('landlordSite.devices.lastOnline', { at: formatDateTime(lastDisconnectedAt, timeZone) })
              : t('landlordSite.devices.never')}
        </td>
        <td>{t(`allowlist.${d.allowlist}`)}</td>
        <td>
          {/* Only a reader that can take the command: the platform refuses one offline, disabled or not approved. */}
          {d.kind === 'reader' && state === 'online' && d.approved && !opening && (
            <button type='button' onClick={() => setOpening(true)} aria-label={`${t('landlordSite.open.button')} ${d.door}`}>{t('landlordSite.open.button')}</button>
          )}
        </td>
      </tr>
      {opening && (
        <tr>
          <td colSpan={7}><OpenDoor device={d} onClose={() => setOpening(false)} /></td>
        </tr>
      )}
    </>
  )
}

/** How long to follow a command before leaving it as sent (the platform marks no_reply after 30 s). */
const FOLLOW_MS = 35_000

function OpenDoor ({ device, onClose }: { device: Device; onClose: () => void }) {
  const [reason, setReason] = useState('')
  const { busy, error, run } = useAction()
  const [followError, setFollowError] = useState<unknown>()
  const [requestId, setRequestId] = useState<string | undefined>()
  const [command, setCommand] = useState<CommandRecord | undefined>()
  useEffect(() => {
    if (requestId === undefined) return
    const state = { live: true }
    const started = Date.now()
    const follow = async (): Promise<void> => {
      while (state.live && Date.now() - started < FOLLOW_MS) {
        try {
          const found = (await api.request('GET /devices/:id/commands', { params: { id: device.id } })).find((c) => c.requestId === requestId)
          if (!state.live) return
          if (found !== undefined) {
            setCommand(found)
            if (found.status !== 'sent') return
          }
        } catch (err) {
          if (state.live) setFollowError(err)
          return
        }
        await new Promise((resolve) => setTimeout(resolve, 700))
      }
    }
    void follow()
    return () => { state.live = false }
  }, [requestId, device.id])
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    await run(async () => {
      const r = await api.request('POST /devices/:id/open-door', { params: { id: device.id }, body: { reason: reason.trim() } })
      setCommand(undefined)
      setFollowError(undefined)
      setRequestId(r.requestId)
    })
  }
  return (
    <form onSubmit={submit} class='inline-form' aria-label={t('landlordSite.open.heading', { door: device.door })}>
      <h3>{t('landlordSite.open.heading', { door: device.door })}</h3>
      <label>{t('landlordSite.open.reason')}<input name='openReason' required maxLength={200} value={reason} onInput={(e) => setReason(e.currentTarget.value)} /></label>
      <SiteError error={error ?? followError} />
      {requestId !== undefined && (
        <p role='status'>
          {command === undefined || command.status === 'sent'
            ? t('landlordSite.open.sent')
            : t('landlordSite.open.result', { status: t(`commandStatus.${command.status}`) })}
          {command?.error != null && <><br />{t('landlordSite.open.deviceError', { message: command.error.message })}</>}
        </p>
      )}
      <div class='actions'>
        <button type='submit' class='primary' disabled={busy || reason.trim() === ''}>{t('landlordSite.open.confirm')}</button>
        <button type='button' onClick={onClose}>{t('common.close')}</button>
      </div>
    </form>
  )
}

function Agreement ({ building, onChanged }: { building: Building; onChanged: () => void }) {
  const [asking, setAsking] = useState(false)
  const { busy, error, run } = useAction()
  const sign = async (): Promise<void> => await run(async () => {
    await api.request('PATCH /buildings/:id', { params: { id: building.id }, body: { responsibilitySignedAt: new Date().toISOString() } })
    setAsking(false)
    onChanged()
  })
  const signed = building.responsibilitySignedAt
  return (
    <section class='card' aria-labelledby='agreement-title'>
      <h2 id='agreement-title'>{t('landlordSite.agreement.title')}</h2>
      <p class='muted'>{t('landlordSite.agreement.intro')}</p>
      {signed !== null
        ? <p role='status'><strong>{t('landlordSite.agreement.signedAt', { at: formatDate(signed, building.timeZone) })}</strong></p>
        : (
          <>
            <p class='warn'>{t('landlordSite.agreement.missing')}</p>
            {asking
              ? (
                <div class='actions'>
                  <button type='button' class='primary' disabled={busy} onClick={() => { void sign() }}>{t('landlordSite.agreement.confirm')}</button>
                  <button type='button' onClick={() => setAsking(false)}>{t('common.cancel')}</button>
                </div>
                )
              : <button type='button' class='primary' onClick={() => setAsking(true)}>{t('landlordSite.agreement.sign')}</button>}
          </>
          )}
      <SiteError error={error} />
    </section>
  )
}
