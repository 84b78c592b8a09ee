import { Loaded } from '../../components/loading.tsx'
import { formatDate } from '../../format.ts'
import { t } from '../../i18n/index.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'

export function UsersPage () {
  const users = useData(async () => await api.request('GET /users'), [])
  return (
    <section>
      <h1>{t('admin.users.title')}</h1>
      <Loaded data={users}>
        {(us) => (
          <table>
            <thead>
              <tr>
                <th scope='col'>{t('admin.users.username')}</th>
                <th scope='col'>{t('admin.users.name')}</th>
                <th scope='col'>{t('admin.users.role')}</th>
                <th scope='col'>{t('admin.users.area')}</th>
                <th scope='col'>{t('admin.users.created')}</th>
              </tr>
            </thead>
            <tbody>
              {us.map((u) => (
                <tr key={u.id} class={u.disabled ? 'muted' : undefined}>
                  <td>{u.username}</td><td>{u.displayName}</td><td>{t(`role.${u.role}`)}</td><td>{u.areaId ?? '—'}</td><td>{formatDate(u.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
    </section>
  )
}
