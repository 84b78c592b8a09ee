// Accounts: who may sign in, in which role and area. The administrator creates
// one (the initial password set here or generated, shown once) and disables or
// re-enables it; disabling ends its sessions.

import { useState } from 'preact/hooks'
import type { Area, User } from '../../../../contract/schemas/registry.ts'
import { ROLES, type Role } from '../../../../contract/vocabulary.ts'
import { ConfirmButton } from '../../components/confirm-button.tsx'
import { Loaded } from '../../components/loading.tsx'
import { ShownOnce } from '../../components/shown-once.tsx'
import { formatDate } from '../../format.ts'
import { t } from '../../i18n/index.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'
import { AdminError } from './admin-errors.tsx'
import { useAction } from '../../use-action.ts'
import { areaName, areaOptions } from './area-names.ts'

/** The roles whose account is bound to an area (their jurisdiction). */
const AREA_ROLES: readonly Role[] = ['grid_worker', 'police']
const MIN_PASSWORD = 10

export function UsersPage ({ me }: { me: User }) {
  const data = useData(async () => {
    const [users, areas] = await Promise.all([api.request('GET /users'), api.request('GET /areas')])
    return { users, areas }
  }, [])
  const [created, setCreated] = useState<{ user: User; password: string } | undefined>()
  return (
    <section>
      <h1>{t('admin.users.title')}</h1>
      <Loaded data={data}>
        {({ users, areas }) => (
          <>
            {created !== undefined
              ? (
                <ShownOnce
                  title={t('admin.users.createdTitle', { username: created.user.username })}
                  items={[{ label: t('admin.users.username'), value: created.user.username }, { label: t('admin.users.password'), value: created.password }]}
                  onDone={() => setCreated(undefined)}
                >
                  <p>{t('admin.users.createdNext')}</p>
                </ShownOnce>
                )
              : <CreateUserForm areas={areas} onCreated={(user, password) => { setCreated({ user, password }); data.reload() }} />}
            <h2>{t('admin.users.list')}</h2>
            <table>
              <thead>
                <tr>
                  <th scope='col'>{t('admin.users.username')}</th>
                  <th scope='col'>{t('admin.users.name')}</th>
                  <th scope='col'>{t('admin.users.role')}</th>
                  <th scope='col'>{t('admin.users.area')}</th>
                  <th scope='col' class='nowrap'>{t('admin.users.status')}</th>
                  <th scope='col'>{t('admin.users.created')}</th>
                  <th scope='col'>{t('common.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {users.map((u) => <UserRow key={u.id} user={u} isMe={u.id === me.id} areas={areas} onChanged={data.reload} />)}
              </tbody>
            </table>
            <p class='muted'>{t('admin.users.roleFixed')}</p>
          </>
        )}
      </Loaded>
    </section>
  )
}

function UserRow ({ user: u, isMe, areas, onChanged }: { user: User; isMe: boolean; areas: Area[]; onChanged: () => void }) {
  const { busy, error, run } = useAction()
  const set = (disabled: boolean): Promise<void> => run(async () => {
    await api.request('PATCH /users/:id', { params: { id: u.id }, body: { disabled } })
    onChanged()
  })
  return (
    <tr class={u.disabled ? 'muted' : undefined} data-username={u.username}>
      <td>{u.username}</td>
      <td>{u.displayName}</td>
      <td>{t(`role.${u.role}`)}{u.organisation === null ? '' : ` · ${u.organisation}`}</td>
      <td>{!isMe && !u.disabled && (u.role === 'police' || u.role === 'grid_worker') ? <AreaChange user={u} areas={areas} onChanged={onChanged} /> : areaName(areas, u.areaId)}</td>
      <td class='nowrap'>{u.disabled ? <span class='badge warn'>{t('admin.users.disabled')}</span> : t('admin.users.enabled')}</td>
      <td>{formatDate(u.createdAt)}</td>
      <td>
        {isMe
          ? <span class='muted'>{t('admin.users.you')}</span>
          : u.disabled
            ? <button type='button' disabled={busy} onClick={() => { void set(false) }}>{t('admin.users.enable')}</button>
            : (
              <ConfirmButton
                label={t('admin.users.disable')} busy={busy}
                question={t('admin.users.disableQuestion', { username: u.username })}
                confirmLabel={t('admin.users.disableConfirm')} onConfirm={() => { void set(true) }}
              />
              )}
        <AdminError error={error} />
      </td>
    </tr>
  )
}

/** Moving a police or grid worker account to another area: its sessions end, so it signs in again with the new scope. */
function AreaChange ({ user: u, areas, onChanged }: { user: User; areas: Area[]; onChanged: () => void }) {
  const [open, setOpen] = useState(false)
  const [areaId, setAreaId] = useState(u.areaId ?? '')
  const { busy, error, run } = useAction()
  const move = (e: Event): Promise<void> => run(async () => {
    e.preventDefault()
    await api.request('PATCH /users/:id', { params: { id: u.id }, body: { areaId } })
    setOpen(false)
    onChanged()
  })
  if (!open) {
    return (
      <>
        {areaName(areas, u.areaId)}{' '}
        <button type='button' class='link' onClick={() => setOpen(true)}>{t('admin.users.move')}</button>
      </>
    )
  }
  return (
    <form class='inline' onSubmit={(e) => { void move(e) }} aria-label={t('admin.users.moveTitle', { username: u.username })}>
      <select name='moveAreaId' value={areaId} onChange={(e) => setAreaId(e.currentTarget.value)}>
        {areaOptions(areas).map((o) => <option key={o.area.id} value={o.area.id}>{o.label}</option>)}
      </select>
      <button type='submit' class='primary' disabled={busy || areaId === u.areaId}>{t('admin.users.moveSubmit')}</button>
      <button type='button' onClick={() => setOpen(false)}>{t('common.cancel')}</button>
      <p class='muted'>{t('admin.users.moveHint')}</p>
      <AdminError error={error} />
    </form>
  )
}

/** A password of 16 letters and digits from the browser's random source. */
function generatePassword (): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('')
}

function CreateUserForm ({ areas, onCreated }: { areas: Area[]; onCreated: (user: User, password: string) => void }) {
  const [username, setUsername] = useState('')
  const [displayName, setDisplayName] = useState('')
  const [role, setRole] = useState<Role>('landlord')
  const [areaId, setAreaId] = useState('')
  const [organisation, setOrganisation] = useState('')
  const [password, setPassword] = useState('')
  const { busy, error, submit } = useAction()
  const needsArea = AREA_ROLES.includes(role)
  const create = submit(async () => {
    const pw = password === '' ? generatePassword() : password
    const user = await api.request('POST /users', {
      body: {
        username: username.trim(),
        displayName: displayName.trim(),
        role,
        password: pw,
        ...(needsArea && areaId !== '' ? { areaId } : {}),
        ...(role === 'vendor' && organisation.trim() !== '' ? { organisation: organisation.trim() } : {}),
      },
    })
    setUsername('')
    setDisplayName('')
    setPassword('')
    onCreated(user, pw)
  })
  return (
    <form class='form card' onSubmit={create} aria-labelledby='new-user-title'>
      <h2 id='new-user-title'>{t('admin.users.new')}</h2>
      <label>
        {t('admin.users.username')} <small>{t('admin.users.usernameHint')}</small>
        <input name='username' required value={username} autoComplete='off' onInput={(e) => setUsername(e.currentTarget.value)} />
      </label>
      <label>
        {t('admin.users.name')}
        <input name='displayName' required maxLength={100} value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} />
      </label>
      <label>
        {t('admin.users.role')}
        <select name='role' value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
          {ROLES.map((r) => <option key={r} value={r}>{t(`role.${r}`)}</option>)}
        </select>
      </label>
      {needsArea && (
        <label>
          {t('admin.users.area')} <small>{t('admin.users.areaHint')}</small>
          <select name='areaId' value={areaId} onChange={(e) => setAreaId(e.currentTarget.value)}>
            <option value=''>{t('admin.users.areaPick')}</option>
            {areaOptions(areas).map((o) => <option key={o.area.id} value={o.area.id}>{o.label}</option>)}
          </select>
        </label>
      )}
      {role === 'vendor' && (
        <label>
          {t('admin.users.organisation')}
          <input name='organisation' maxLength={100} value={organisation} onInput={(e) => setOrganisation(e.currentTarget.value)} />
        </label>
      )}
      <label>
        {t('admin.users.password')} <small>{t('admin.users.passwordHint', { n: MIN_PASSWORD })}</small>
        <input name='password' type='text' autoComplete='new-password' value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </label>
      <AdminError error={error} />
      <div class='actions'>
        <button type='submit' class='primary' disabled={busy}>{t('admin.users.create')}</button>
      </div>
    </form>
  )
}
