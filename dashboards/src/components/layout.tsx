// The frame around every page: the title, the signed-in person, the language
// switch, sign-out, and the navigation of their role.

import type { ComponentChildren } from 'preact'
import type { User } from '../../../contract/schemas/registry.ts'
import { language, setLanguage, t, type MessageKey } from '../i18n/index.ts'
import { href } from '../router.ts'
import { useData } from '../use-data.ts'

export interface NavItem {
  path: string
  label: MessageKey
  /** How many things wait there (the landlord's inbox), asked again on every page change; shown when above 0. */
  count?: () => Promise<number>
}

export function Layout ({ user, nav, path, onSignOut, onLanguage, children }: {
  user: User
  nav: NavItem[]
  path: string
  onSignOut: () => void
  onLanguage: () => void
  children: ComponentChildren
}) {
  // The current page's item: the longest path the page lies under (`/dispatch/map` is the map, not the queue).
  const page = path.split('?')[0]!
  const current = nav.filter((n) => page === n.path || page.startsWith(n.path + '/')).sort((a, b) => b.path.length - a.path.length)[0]
  const switchLanguage = (): void => {
    setLanguage(language() === 'zh-CN' ? 'en' : 'zh-CN')
    onLanguage()
  }
  return (
    <div class='shell'>
      <a class='skip' href='#main' onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus() }}>{t('app.skip')}</a>
      <header class='top'>
        <span class='brand'>{t('app.title')}</span>
        <span class='who'>{t('nav.signedInAs', { name: user.displayName, role: t(`role.${user.role}`) })}</span>
        <button type='button' class='link' onClick={switchLanguage} aria-label={t('lang.label')}>{t('lang.switch')}</button>
        <button type='button' class='link' onClick={onSignOut}>{t('nav.logout')}</button>
      </header>
      <nav class='side' aria-label={t('app.title')}>
        <ul>
          {nav.map((item) => {
            const active = item === current
            return (
              <li key={item.path}>
                <a href={href(item.path)} aria-current={active ? 'page' : undefined}>
                  {t(item.label)}{item.count !== undefined && <NavCount count={item.count} path={path} />}
                </a>
              </li>
            )
          })}
        </ul>
      </nav>
      <main id='main' tabIndex={-1}>{children}</main>
    </div>
  )
}

/** The number beside a nav item; nothing while it loads, when it is 0, or when it cannot be had. */
function NavCount ({ count, path }: { count: () => Promise<number>; path: string }) {
  const n = useData(count, [path])
  if (n.value === undefined || n.value === 0) return null
  return <> <span class='count' aria-label={t('nav.waiting', { n: n.value })}>{n.value}</span></>
}
