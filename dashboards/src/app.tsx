// The shell: restores the session, shows the sign-in page or the console of
// the signed-in person's role, and routes by the URL's hash.

import { useEffect, useState } from 'preact/hooks'
import type { Role } from '../../contract/vocabulary.ts'
import type { User } from '../../contract/schemas/registry.ts'
import { ErrorText } from './components/error-text.tsx'
import { Layout } from './components/layout.tsx'
import { setLanguage, language, t } from './i18n/index.ts'
import { adminConsole } from './pages/admin/admin-console.tsx'
import { dispatchConsole } from './pages/dispatch/dispatch-console.tsx'
import { gridConsole } from './pages/grid/grid-console.tsx'
import { landlordConsole } from './pages/landlord/landlord-console.tsx'
import { LoginPage } from './pages/login-page.tsx'
import type { Console } from './pages/routes.ts'
import { match, navigate, usePath } from './router.ts'
import { restoreSession, signOut } from './session.ts'

const CONSOLES: Record<Role, Console> = {
  landlord: landlordConsole,
  police: dispatchConsole,
  grid_worker: gridConsole,
  admin: adminConsole,
  vendor: adminConsole,
}

/** A vendor sees only the devices page of the administrator's console. */
function navFor (role: Role): Console['nav'] {
  const nav = CONSOLES[role].nav
  return role === 'vendor' ? nav.filter((n) => n.path === '/admin/devices') : nav
}

/**
 * Where a person lands after signing in: the page they came for (a door plate's `#/h/<code>` scanned before signing
 * in) when their console has it, else their console's home.
 */
function landingPath (role: Role, path: string): string {
  const wanted = path !== '/' && path !== '' && CONSOLES[role].pages.some((p) => match(p.pattern, path) !== null)
  return wanted ? path : navFor(role)[0]!.path
}

export function App () {
  const [user, setUser] = useState<User | null | undefined>(undefined)
  const [error, setError] = useState<unknown>()
  const [, setLang] = useState(language())
  const path = usePath()

  useEffect(() => {
    setLanguage(language())
    restoreSession().then(setUser, setError)
  }, [])

  const rerender = (): void => setLang(language())

  if (user === undefined) {
    return error === undefined ? <p class='muted' aria-busy='true'>{t('common.loading')}</p> : <ErrorText error={error} />
  }
  if (user === null) return <LoginPage onSignedIn={(u) => { setUser(u); navigate(landingPath(u.role, path)) }} onLanguage={rerender} />

  const console = CONSOLES[user.role]
  const nav = navFor(user.role)
  let page = null
  for (const p of console.pages) {
    const params = match(p.pattern, path)
    if (params !== null) {
      page = p.render({ user, params, path })
      break
    }
  }
  if (page === null) {
    if (path === '/' || path === '') {
      navigate(nav[0]!.path)
      return null
    }
    page = <p>{t('common.notFound')}</p>
  }
  return (
    <Layout user={user} nav={nav} path={path} onLanguage={rerender} onSignOut={() => { void signOut().finally(() => { setUser(null); navigate('/') }) }}>
      {page}
    </Layout>
  )
}
