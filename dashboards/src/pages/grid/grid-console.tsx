// The grid worker's console, made for a phone: the live alerts of their grid
// as cards, the houses of their area, one house with its rooms and residents.

import { AlertPage } from '../dispatch/alert-page.tsx'
import type { Console } from '../routes.ts'
import { AlertsPage } from './alerts-page.tsx'
import { HousePage } from './house-page.tsx'
import { HousesPage } from './houses-page.tsx'
import './grid.css'

export const gridConsole: Console = {
  nav: [
    { path: '/grid', label: 'grid.nav.alerts' },
    { path: '/grid/houses', label: 'nav.grid.houses' },
  ],
  pages: [
    { pattern: '/grid', render: () => <AlertsPage /> },
    { pattern: '/grid/alerts/:id', render: ({ params, user }) => <AlertPage id={params.id!} user={user} base='/grid' /> },
    { pattern: '/grid/houses', render: () => <HousesPage /> },
    { pattern: '/grid/houses/:id', render: ({ params }) => <HousePage id={params.id!} /> },
  ],
}
