// The grid worker's console, made for a phone: the live alerts of their grid
// as cards, what dispatch assigned to them with the on-site feedback, the
// houses of their area, one house with its rooms and residents, the patrols
// due and the house record a door plate opens.

import { AlertPage } from '../dispatch/alert-page.tsx'
import { patrolPages } from '../patrols/patrol-pages.tsx'
import type { Console } from '../routes.ts'
import { AlertsPage } from './alerts-page.tsx'
import { HousePage } from './house-page.tsx'
import { HousesPage } from './houses-page.tsx'
import { TasksPage } from './tasks-page.tsx'
import './grid.css'

export const gridConsole: Console = {
  nav: [
    { path: '/grid', label: 'grid.nav.alerts' },
    { path: '/grid/tasks', label: 'nav.grid.tasks' },
    { path: '/grid/houses', label: 'nav.grid.houses' },
    { path: '/grid/patrols', label: 'nav.patrols' },
  ],
  pages: [
    { pattern: '/grid', render: () => <AlertsPage /> },
    { pattern: '/grid/tasks', render: ({ user }) => <TasksPage user={user} /> },
    { pattern: '/grid/alerts/:id', render: ({ params, user }) => <AlertPage id={params.id!} user={user} base='/grid' /> },
    { pattern: '/grid/houses', render: () => <HousesPage /> },
    { pattern: '/grid/houses/:id', render: ({ params }) => <HousePage id={params.id!} /> },
    ...patrolPages('/grid/patrols', (id) => `/grid/houses/${encodeURIComponent(id)}`),
  ],
}
