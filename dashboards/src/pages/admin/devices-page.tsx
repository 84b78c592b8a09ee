// The devices the signed-in account may see (a vendor: its organisation's; an
// administrator: all): online or offline and when last seen, approval and what
// each receives of its building's allow-list. Provisioning a device and
// rotating its secret show its credentials once; an administrator also
// approves and removes devices.

import { useState } from 'preact/hooks'
import type { Provisioned } from '../../../../contract/routes/device-routes.ts'
import type { Building, Device, DeviceStats, User } from '../../../../contract/schemas/registry.ts'
import { ConfirmButton } from '../../components/confirm-button.tsx'
import { Loaded } from '../../components/loading.tsx'
import { formatDateTime } from '../../format.ts'
import { t } from '../../i18n/index.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'
import { AdminError } from './admin-errors.tsx'
import { useAction } from '../../use-action.ts'
import { CredentialsShownOnce, ProvisionForm } from './provision-form.tsx'

export function DevicesPage ({ user }: { user: User }) {
  const data = useData(async () => {
    const [devices, buildings] = await Promise.all([api.request('GET /devices'), api.request('GET /buildings')])
    // Whether each is connected: one small request a device.
    const stats = await Promise.all(devices.map(async (d) => {
      try {
        return (await api.request('GET /devices/:id', { params: { id: d.id } })).status
      } catch {
        return undefined
      }
    }))
    return { devices: devices.map((d, i) => ({ device: d, status: stats[i] })), buildings }
  }, [])
  const [shown, setShown] = useState<{ title: string; provisioned: Provisioned } | undefined>()
  const mayManage = user.role === 'admin' || user.role === 'landlord'
  return (
    <section>
      <h1>{t('admin.devices.title')}</h1>
      <Loaded data={data}>
        {({ devices, buildings }) => (
          <>
            {shown !== undefined
              ? <CredentialsShownOnce title={shown.title} provisioned={shown.provisioned} onDone={() => setShown(undefined)} />
              : (
                <ProvisionForm
                  buildings={buildings} askVendor={user.role !== 'vendor'}
                  onProvisioned={(p) => { setShown({ title: t('admin.provision.doneTitle', { id: p.device.id }), provisioned: p }); data.reload() }}
                />
                )}
            <h2>{t('admin.devices.list')}</h2>
            <p><button type='button' onClick={data.reload}>{t('common.refresh')}</button></p>
            {devices.length === 0
              ? <p>{t('admin.devices.none')}</p>
              : (
                <table>
                  <thead>
                    <tr>
                      <th scope='col'>{t('admin.devices.id')}</th>
                      <th scope='col'>{t('admin.devices.where')}</th>
                      <th scope='col'>{t('admin.devices.kind')}</th>
                      <th scope='col'>{t('admin.devices.model')}</th>
                      <th scope='col'>{t('admin.devices.online')}</th>
                      <th scope='col'>{t('admin.devices.approved')}</th>
                      <th scope='col'>{t('admin.devices.allowlist')}</th>
                      <th scope='col'>{t('common.actions')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {devices.map(({ device, status }) => (
                      <DeviceRow
                        key={device.id} device={device} status={status} building={buildings.find((b) => b.id === device.buildingId)}
                        mayManage={mayManage} onChanged={data.reload}
                        onRotated={(p) => { setShown({ title: t('admin.rotate.doneTitle', { id: p.device.id }), provisioned: p }); data.reload() }}
                      />
                    ))}
                  </tbody>
                </table>
                )}
          </>
        )}
      </Loaded>
    </section>
  )
}

function DeviceRow ({ device: d, status, building, mayManage, onChanged, onRotated }: {
  device: Device
  status: DeviceStats | undefined
  building: Building | undefined
  mayManage: boolean
  onChanged: () => void
  onRotated: (p: Provisioned) => void
}) {
  const { busy, error, run } = useAction()
  const zone = building?.timeZone
  const rotate = (): Promise<void> => run(async () => onRotated(await api.request('POST /devices/:id/rotate-secret', { params: { id: d.id }, body: {} })))
  const approve = (): Promise<void> => run(async () => { await api.request('POST /devices/:id/approve', { params: { id: d.id } }); onChanged() })
  const remove = (): Promise<void> => run(async () => { await api.request('DELETE /devices/:id', { params: { id: d.id } }); onChanged() })
  return (
    <tr key={d.id} class={d.enabled ? undefined : 'muted'} data-device={d.id}>
      <td>{d.id}</td>
      <td>{building?.name ?? d.buildingId} · {d.door}</td>
      <td>{t(`deviceKind.${d.kind}`)}</td>
      <td>{d.vendor} {d.model}</td>
      <td class='online'>
        {status === undefined
          ? '—'
          : status.connected
            ? <><span class='badge ok'>{t('admin.devices.isOnline')}</span> <small>{t('admin.devices.since', { at: formatDateTime(status.lastConnectedAt, zone) })}</small></>
            : <><span class='badge'>{t('admin.devices.isOffline')}</span> <small>{status.lastDisconnectedAt === null ? t('admin.devices.neverSeen') : t('admin.devices.lastSeen', { at: formatDateTime(status.lastDisconnectedAt, zone) })}</small></>}
      </td>
      <td>{d.approved ? t('common.yes') : <span class='badge warn'>{t('common.no')}</span>}</td>
      <td>{t(`allowlist.${d.allowlist}`)}</td>
      <td>
        <div class='actions'>
          {mayManage && !d.approved && <button type='button' disabled={busy} onClick={() => { void approve() }}>{t('admin.devices.approve')}</button>}
          <ConfirmButton
            label={t('admin.rotate.open')} busy={busy} question={t('admin.rotate.question')}
            confirmLabel={t('admin.rotate.confirm')} onConfirm={() => { void rotate() }}
          />
          {mayManage && (
            <ConfirmButton
              label={t('admin.devices.remove')} busy={busy} question={t('admin.devices.removeQuestion', { id: d.id })}
              confirmLabel={t('admin.devices.removeConfirm')} onConfirm={() => { void remove() }}
            />
          )}
        </div>
        <AdminError error={error} />
      </td>
    </tr>
  )
}
