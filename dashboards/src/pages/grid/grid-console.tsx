// The grid worker's console, made for a phone: the live alerts of their grid
// as cards, what dispatch assigned to them with the on-site feedback, the
// houses of their area, one house with its rooms and residents, the patrols
// due and the house record a door plate opens, vacancies to check on site and
// the grid's monthly reconciliation.

import { AlertPage } from '../dispatch/alert-page.tsx'
import { patrolPages } from '../patrols/patrol-pages.tsx'
import { HousesByGradePage } from '../policy/houses-by-grade-page.tsx'
import { ProposalPage } from '../policy/proposals-page.tsx'
import { ScorePage } from '../policy/score-page.tsx'
import { KpisPage } from '../kpis/kpis-page.tsx'
import type { Console } from '../routes.ts'
import { AlertsPage } from './alerts-page.tsx'
import { HousePage } from './house-page.tsx'
import { HousesPage } from './houses-page.tsx'
import { TasksPage } from './tasks-page.tsx'
import { VacancyPage } from './vacancy-page.tsx'
import { ReconciliationLists } from '../../components/reconciliation-lists.tsx'
import './grid.css'

export const gridConsole: Console = {
  nav: [
    { path: '/grid', label: 'grid.nav.alerts' },
    { path: '/grid/tasks', label: 'nav.grid.tasks' },
    { path: '/grid/houses', label: 'nav.grid.houses' },
    { path: '/grid/patrols', label: 'nav.patrols' },
    { path: '/grid/grades', label: 'nav.policy.houses' },
    { path: '/grid/vacancy', label: 'nav.grid.vacancy' },
    { path: '/grid/reconciliation', label: 'nav.grid.reconciliation' },
    { path: '/grid/kpis', label: 'nav.kpis' },
  ],
  pages: [
    { pattern: '/grid', render: () => <AlertsPage /> },
    { pattern: '/grid/tasks', render: ({ user }) => <TasksPage user={user} /> },
    { pattern: '/grid/alerts/:id', render: ({ params, user }) => <AlertPage id={params.id!} user={user} base='/grid' /> },
    { pattern: '/grid/houses', render: () => <HousesPage /> },
    { pattern: '/grid/houses/:id', render: ({ params }) => <HousePage id={params.id!} /> },
    ...patrolPages('/grid/patrols', (id) => `/grid/houses/${encodeURIComponent(id)}`),
    { pattern: '/grid/grades', render: ({ path }) => <HousesByGradePage base='/grid' list='/grid/grades' path={path} /> },
    { pattern: '/grid/houses/:id/score', render: ({ params, user }) => <ScorePage id={params.id!} base='/grid' back={`/grid/houses/${encodeURIComponent(params.id!)}`} user={user} /> },
    { pattern: '/grid/grade-proposals/:id', render: ({ params, user }) => <ProposalPage id={params.id!} base='/grid' user={user} /> },
    { pattern: '/grid/vacancy', render: () => <VacancyPage /> },
    { pattern: '/grid/reconciliation', render: () => <ReconciliationLists scope='grid' /> },
    { pattern: '/grid/kpis', render: ({ path }) => <KpisPage base='/grid/kpis' path={path} /> },
  ],
}
