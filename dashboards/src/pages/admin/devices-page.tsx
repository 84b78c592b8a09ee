// The devices the signed-in account may see (a vendor: its organisation's; an administrator: all), with their
// approval and what each receives of its building's allow-list.

import { Loaded } from '../../components/loading.tsx'
import { formatDate } from '../../format.ts'
import { t } from '../../i18n/index.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'

export function DevicesPage () {
  const devices = useData(async () => await api.request('GET /devices'), [])
  return (
    <section>
      <h1>{t('admin.devices.title')}</h1>
      <Loaded data={devices}>
        {(ds) => ds.length === 0
          ? <p>{t('admin.devices.none')}</p>
          : (
            <table>
              <thead>
                <tr>
                  <th scope='col'>{t('admin.devices.id')}</th>
                  <th scope='col'>{t('admin.devices.where')}</th>
                  <th scope='col'>{t('admin.devices.kind')}</th>
                  <th scope='col'>{t('admin.devices.model')}</th>
                  <th scope='col'>{t('admin.devices.approved')}</th>
                  <th scope='col'>{t('admin.devices.allowlist')}</th>
                  <th scope='col'>{t('admin.users.created')}</th>
                </tr>
              </thead>
              <tbody>
                {ds.map((d) => (
                  <tr key={d.id} class={d.enabled ? undefined : 'muted'}>
                    <td>{d.id}</td>
                    <td>{d.buildingId} · {d.door}</td>
                    <td>{t(`deviceKind.${d.kind}`)}</td>
                    <td>{d.vendor} {d.model}</td>
                    <td>{d.approved ? t('common.yes') : t('common.no')}</td>
                    <td>{t(`allowlist.${d.allowlist}`)}</td>
                    <td>{formatDate(d.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            )}
      </Loaded>
    </section>
  )
}
