// Provisioning a reader or camera at a door of a building, and the
// credentials the platform answers with (provisioning or a rotation), shown
// once with what the installer does next.

import { useState } from 'preact/hooks'
import type { Provisioned } from '../../../../contract/routes/device-routes.ts'
import type { Building } from '../../../../contract/schemas/registry.ts'
import { DEVICE_KINDS, type DeviceKind } from '../../../../contract/vocabulary.ts'
import { ShownOnce, type ShownOnceItem } from '../../components/shown-once.tsx'
import { t } from '../../i18n/index.ts'
import { api } from '../../session.ts'
import { AdminError } from './admin-errors.tsx'
import { useAction } from '../../use-action.ts'

export function ProvisionForm ({ buildings, askVendor, onProvisioned }: {
  buildings: Building[]
  /** A vendor's own organisation is taken from its account. */
  askVendor: boolean
  onProvisioned: (p: Provisioned) => void
}) {
  const [buildingId, setBuildingId] = useState('')
  const [kind, setKind] = useState<DeviceKind>('reader')
  const [door, setDoor] = useState('main-gate')
  const [vendor, setVendor] = useState('')
  const [model, setModel] = useState('')
  const { busy, error, submit } = useAction()
  const provision = submit(async () => {
    onProvisioned(await api.request('POST /buildings/:id/devices', {
      params: { id: buildingId },
      body: { kind, door: door.trim(), model: model.trim(), ...(askVendor && vendor.trim() !== '' ? { vendor: vendor.trim() } : {}) },
    }))
  })
  return (
    <form class='form card' onSubmit={provision} aria-labelledby='provision-title'>
      <h2 id='provision-title'>{t('admin.provision.title')}</h2>
      <label>
        {t('admin.provision.building')}
        <select name='buildingId' required value={buildingId} onChange={(e) => setBuildingId(e.currentTarget.value)}>
          <option value=''>{t('admin.provision.pickBuilding')}</option>
          {buildings.map((b) => <option key={b.id} value={b.id}>{b.name} · {b.address}</option>)}
        </select>
      </label>
      <fieldset>
        <legend>{t('admin.devices.kind')}</legend>
        <div class='choices'>
          {DEVICE_KINDS.map((k) => (
            <label key={k} class='choice'>
              <input type='radio' name='kind' value={k} checked={kind === k} onChange={() => setKind(k)} /> {t(`deviceKind.${k}`)}
            </label>
          ))}
        </div>
      </fieldset>
      <label>
        {t('admin.provision.door')} <small>{t('admin.provision.doorHint')}</small>
        <input name='door' required pattern={'[A-Za-z0-9][A-Za-z0-9_\\-]{0,63}'} value={door} onInput={(e) => setDoor(e.currentTarget.value)} />
      </label>
      {askVendor && (
        <label>
          {t('admin.provision.vendor')}
          <input name='vendor' required maxLength={100} value={vendor} onInput={(e) => setVendor(e.currentTarget.value)} />
        </label>
      )}
      <label>
        {t('admin.provision.model')}
        <input name='model' required maxLength={100} value={model} onInput={(e) => setModel(e.currentTarget.value)} />
      </label>
      <AdminError error={error} conflict='admin.error.deviceIdTaken' />
      <div class='actions'>
        <button type='submit' class='primary' disabled={busy}>{t('admin.provision.submit')}</button>
      </div>
    </form>
  )
}

export function CredentialsShownOnce ({ title, provisioned: { device, mqtt }, onDone }: { title: string; provisioned: Provisioned; onDone: () => void }) {
  const items: ShownOnceItem[] = [
    { label: t('admin.provision.mqttUrl'), value: mqtt.tlsUrl ?? mqtt.url },
    ...(mqtt.tlsUrl === null ? [] : [{ label: t('admin.provision.plainUrl'), value: mqtt.url }]),
    { label: t('admin.provision.clientId'), value: mqtt.clientId },
    { label: t('admin.provision.username'), value: mqtt.username },
    { label: t('admin.provision.password'), value: mqtt.password },
    ...(mqtt.allowlistKey === null ? [] : [{ label: t('admin.provision.allowlistKey'), value: mqtt.allowlistKey }]),
  ]
  return (
    <ShownOnce title={title} items={items} onDone={onDone}>
      <h3>{t('admin.provision.nextTitle')}</h3>
      <ol class='next-steps'>
        <li>{t('admin.provision.next1')}</li>
        <li>
          {t('admin.provision.next2')}
          <dl class='facts'>
            <dt>{t('admin.provision.willTopic')}</dt><dd><code class='will-topic'>{mqtt.will.topic}</code></dd>
            <dt>{t('admin.provision.willPayload')}</dt><dd><code class='will-payload'>{mqtt.will.payload}</code></dd>
          </dl>
        </li>
        {device.kind === 'reader' && <li>{t('admin.provision.next3reader')}</li>}
        <li>{t('admin.provision.next4', { revision: mqtt.protocolRevision })}</li>
        {!device.approved && <li>{t('admin.provision.next5approve')}</li>}
      </ol>
    </ShownOnce>
  )
}
