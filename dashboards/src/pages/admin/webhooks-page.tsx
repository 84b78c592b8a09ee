// Webhooks: where the platform pushes the alerts and registry changes of an
// area. Create one (its signing secret shown once), choose what it receives,
// delete it, and read its recent deliveries.

import { useState } from 'preact/hooks'
import type { Webhook } from '../../../../contract/routes/alert-routes.ts'
import type { Area } from '../../../../contract/schemas/registry.ts'
import { SEVERITIES, WEBHOOK_SUBSCRIPTIONS, type Severity, type WebhookSubscription } from '../../../../contract/vocabulary.ts'
import { ConfirmButton } from '../../components/confirm-button.tsx'
import { Loaded } from '../../components/loading.tsx'
import { ShownOnce } from '../../components/shown-once.tsx'
import { formatDateTime } from '../../format.ts'
import { t } from '../../i18n/index.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'
import { AdminError } from './admin-errors.tsx'
import { useAction } from '../../use-action.ts'
import { areaOptions, areaTrail } from './area-names.ts'

const DELIVERIES_SHOWN = 20

export function WebhooksPage () {
  const data = useData(async () => {
    const [webhooks, areas] = await Promise.all([api.request('GET /webhooks'), api.request('GET /areas')])
    return { webhooks, areas }
  }, [])
  const [created, setCreated] = useState<{ webhook: Webhook; secret: string } | undefined>()
  const [open, setOpen] = useState<string | undefined>()
  return (
    <section>
      <h1>{t('admin.webhooks.title')}</h1>
      <p class='muted'>{t('admin.webhooks.intro')}</p>
      <Loaded data={data}>
        {({ webhooks, areas }) => (
          <>
            {created !== undefined
              ? (
                <ShownOnce
                  title={t('admin.webhooks.createdTitle')}
                  items={[{ label: t('admin.webhooks.url'), value: created.webhook.url }, { label: t('admin.webhooks.secret'), value: created.secret }]}
                  onDone={() => setCreated(undefined)}
                >
                  <p>{t('admin.webhooks.createdNext')}</p>
                </ShownOnce>
                )
              : <CreateWebhookForm areas={areas} onCreated={(c) => { setCreated(c); data.reload() }} />}
            <h2>{t('admin.webhooks.list')}</h2>
            {webhooks.length === 0
              ? <p>{t('admin.webhooks.none')}</p>
              : (
                <table>
                  <thead>
                    <tr>
                      <th scope='col'>{t('admin.webhooks.url')}</th>
                      <th scope='col'>{t('admin.webhooks.area')}</th>
                      <th scope='col'>{t('admin.webhooks.receives')}</th>
                      <th scope='col'>{t('admin.webhooks.minSeverity')}</th>
                      <th scope='col'>{t('admin.webhooks.pending')}</th>
                      <th scope='col'>{t('admin.webhooks.created')}</th>
                      <th scope='col'>{t('common.actions')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {webhooks.map((w) => (
                      <WebhookRow
                        key={w.id} webhook={w} areas={areas} open={open === w.id}
                        onToggle={() => setOpen(open === w.id ? undefined : w.id)} onChanged={data.reload}
                      />
                    ))}
                  </tbody>
                </table>
                )}
            {open !== undefined && webhooks.some((w) => w.id === open) && <Deliveries webhook={webhooks.find((w) => w.id === open)!} />}
          </>
        )}
      </Loaded>
    </section>
  )
}

/** Checkboxes for what a webhook receives; at least one stays ticked. */
function SubscriptionChoice ({ value, onChange, name }: { value: WebhookSubscription[]; onChange: (v: WebhookSubscription[]) => void; name: string }) {
  const toggle = (s: WebhookSubscription, on: boolean): void =>
    onChange(WEBHOOK_SUBSCRIPTIONS.filter((x) => (x === s ? on : value.includes(x))))
  return (
    <fieldset>
      <legend>{t('admin.webhooks.receives')} <small>{t('admin.webhooks.receivesHint')}</small></legend>
      <div class='choices'>
        {WEBHOOK_SUBSCRIPTIONS.map((s) => (
          <label key={s} class='choice'>
            <input
              type='checkbox' name={`${name}-${s}`} value={s} checked={value.includes(s)}
              disabled={value.length === 1 && value[0] === s} onChange={(e) => toggle(s, e.currentTarget.checked)}
            /> {t(`admin.webhooks.subscription.${s}`)}
          </label>
        ))}
      </div>
    </fieldset>
  )
}

function WebhookRow ({ webhook: w, areas, open, onToggle, onChanged }: {
  webhook: Webhook; areas: Area[]; open: boolean; onToggle: () => void; onChanged: () => void
}) {
  const { busy, error, run } = useAction()
  const [receives, setReceives] = useState<WebhookSubscription[]>(w.subscriptions)
  const [saved, setSaved] = useState(false)
  const changed = receives.join() !== w.subscriptions.join()
  const remove = (): Promise<void> => run(async () => {
    await api.request('DELETE /webhooks/:id', { params: { id: w.id } })
    onChanged()
  })
  const save = (): Promise<void> => run(async () => {
    await api.request('PATCH /webhooks/:id', { params: { id: w.id }, body: { subscriptions: receives } })
    setSaved(true)
    onChanged()
  })
  return (
    <tr data-webhook={w.id}>
      <td class='wrap'>{w.url}</td>
      <td>{areaTrail(areas, w.areaId)}</td>
      <td>
        <SubscriptionChoice name={`receives-${w.id}`} value={receives} onChange={(v) => { setReceives(v); setSaved(false) }} />
        {changed && <button type='button' class='primary' disabled={busy} onClick={() => { void save() }}>{t('admin.webhooks.saveReceives')}</button>}
        {saved && !changed && <span class='muted' role='status'>{t('admin.webhooks.receivesSaved')}</span>}
      </td>
      <td>{t(`severity.${w.minSeverity}`)}</td>
      <td>{w.pending}</td>
      <td>{formatDateTime(w.createdAt)}</td>
      <td>
        <div class='actions'>
          <button type='button' aria-expanded={open} onClick={onToggle}>{open ? t('admin.webhooks.hideDeliveries') : t('admin.webhooks.showDeliveries')}</button>
          <ConfirmButton
            label={t('admin.webhooks.delete')} busy={busy} question={t('admin.webhooks.deleteQuestion')}
            confirmLabel={t('admin.webhooks.deleteConfirm')} onConfirm={() => { void remove() }}
          />
        </div>
        <AdminError error={error} />
      </td>
    </tr>
  )
}

function Deliveries ({ webhook }: { webhook: Webhook }) {
  const deliveries = useData(async () => await api.request('GET /webhooks/:id/deliveries', { params: { id: webhook.id }, query: { limit: DELIVERIES_SHOWN } }), [webhook.id])
  return (
    <section aria-labelledby='deliveries-title'>
      <h2 id='deliveries-title'>{t('admin.webhooks.deliveriesOf', { url: webhook.url })}</h2>
      <p><button type='button' onClick={deliveries.reload}>{t('common.refresh')}</button></p>
      <Loaded data={deliveries}>
        {(ds) => ds.length === 0
          ? <p class='deliveries-none'>{t('admin.webhooks.noDeliveries')}</p>
          : (
            <table class='deliveries'>
              <thead>
                <tr>
                  <th scope='col'>{t('admin.webhooks.delivery')}</th>
                  <th scope='col'>{t('admin.webhooks.event')}</th>
                  <th scope='col'>{t('admin.webhooks.queuedAt')}</th>
                  <th scope='col'>{t('admin.webhooks.state')}</th>
                  <th scope='col'>{t('admin.webhooks.attempts')}</th>
                  <th scope='col'>{t('admin.webhooks.lastAnswer')}</th>
                </tr>
              </thead>
              <tbody>
                {ds.map((d) => (
                  <tr key={d.seq}>
                    <td>{d.seq}</td>
                    <td>{d.event}</td>
                    <td>{formatDateTime(d.createdAt)}</td>
                    <td>
                      {d.deliveredAt !== null
                        ? t('admin.webhooks.delivered', { at: formatDateTime(d.deliveredAt) })
                        : d.nextAttemptAt !== null
                          ? t('admin.webhooks.retrying', { at: formatDateTime(d.nextAttemptAt) })
                          : t('admin.webhooks.waiting')}
                    </td>
                    <td>{d.attempts}</td>
                    <td>{d.lastStatus !== null ? `HTTP ${d.lastStatus}` : ''}{d.lastError !== null ? ` ${d.lastError}` : ''}{d.lastStatus === null && d.lastError === null ? '—' : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            )}
      </Loaded>
    </section>
  )
}

function CreateWebhookForm ({ areas, onCreated }: { areas: Area[]; onCreated: (c: { webhook: Webhook; secret: string }) => void }) {
  const [url, setUrl] = useState('')
  const [areaId, setAreaId] = useState('')
  const [minSeverity, setMinSeverity] = useState<Severity>('info')
  const [subscriptions, setSubscriptions] = useState<WebhookSubscription[]>(['alerts'])
  const { busy, error, submit } = useAction()
  const create = submit(async () => {
    const r = await api.request('POST /webhooks', { body: { url: url.trim(), areaId, minSeverity, subscriptions } })
    setUrl('')
    onCreated(r)
  })
  return (
    <form class='form card' onSubmit={create} aria-labelledby='new-webhook-title'>
      <h2 id='new-webhook-title'>{t('admin.webhooks.new')}</h2>
      <label>
        {t('admin.webhooks.url')} <small>{t('admin.webhooks.urlHint')}</small>
        <input name='url' type='url' required value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
      </label>
      <label>
        {t('admin.webhooks.area')} <small>{t('admin.webhooks.areaHint')}</small>
        <select name='areaId' required value={areaId} onChange={(e) => setAreaId(e.currentTarget.value)}>
          <option value=''>{t('admin.users.areaPick')}</option>
          {areaOptions(areas).map((o) => <option key={o.area.id} value={o.area.id}>{o.label}</option>)}
        </select>
      </label>
      <SubscriptionChoice name='subscriptions' value={subscriptions} onChange={setSubscriptions} />
      <label>
        {t('admin.webhooks.minSeverity')}
        <select name='minSeverity' value={minSeverity} onChange={(e) => setMinSeverity(e.currentTarget.value as Severity)}>
          {SEVERITIES.map((s) => <option key={s} value={s}>{t(`severity.${s}`)}</option>)}
        </select>
      </label>
      <AdminError error={error} badRequest='admin.error.webhookRefused' />
      <div class='actions'>
        <button type='submit' class='primary' disabled={busy}>{t('admin.webhooks.create')}</button>
      </div>
    </form>
  )
}
