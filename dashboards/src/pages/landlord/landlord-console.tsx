import { platesPage } from '../patrols/patrol-pages.tsx'
import { ScorePage } from '../policy/score-page.tsx'
import { api } from '../../session.ts'
import { ReconciliationLists } from '../../components/reconciliation-lists.tsx'
import { KpisPage } from '../kpis/kpis-page.tsx'
import type { Console } from '../routes.ts'
import { AlertsPage } from './alerts-page.tsx'
import { BuildingPage } from './building-page.tsx'
import { BuildingsPage } from './buildings-page.tsx'
import { ImportPage } from './import-page.tsx'
import { InboxPage } from './inbox-page.tsx'
import { RegisterPage } from './register-page.tsx'
import { RoomPage } from './room-page.tsx'
import { SitePage } from './site-page.tsx'

/** The items waiting in the inboxes of all the landlord's buildings. */
async function inboxCount (): Promise<number> {
  const buildings = await api.request('GET /buildings')
  const inboxes = await Promise.all(buildings.map(async (b) => await api.request('GET /buildings/:id/inbox', { params: { id: b.id } })))
  return inboxes.reduce((n, i) => n + i.items.length, 0)
}

export const landlordConsole: Console = {
  nav: [
    { path: '/landlord', label: 'nav.landlord.buildings' },
    { path: '/landlord/inbox', label: 'nav.landlord.inbox', count: inboxCount },
    { path: '/landlord/alerts', label: 'nav.landlord.alerts' },
    { path: '/landlord/reconciliation', label: 'nav.landlord.reconciliation' },
    { path: '/landlord/kpis', label: 'nav.kpis' },
  ],
  pages: [
    { pattern: '/landlord', render: () => <BuildingsPage /> },
    { pattern: '/landlord/buildings/:id', render: ({ params }) => <BuildingPage id={params.id!} /> },
    { pattern: '/landlord/rooms/:id', render: ({ params }) => <RoomPage id={params.id!} /> },
    { pattern: '/landlord/rooms/:id/register', render: ({ params }) => <RegisterPage roomId={params.id!} /> },
    { pattern: '/landlord/inbox', render: () => <InboxPage /> },
    { pattern: '/landlord/buildings/:id/inbox', render: ({ params }) => <InboxPage buildingId={params.id!} /> },
    { pattern: '/landlord/buildings/:id/import', render: ({ params }) => <ImportPage buildingId={params.id!} /> },
    { pattern: '/landlord/alerts', render: () => <AlertsPage /> },
    { pattern: '/landlord/reconciliation', render: () => <ReconciliationLists scope='landlord' /> },
    { pattern: '/landlord/kpis', render: ({ path }) => <KpisPage base='/landlord/kpis' path={path} /> },
    { pattern: '/landlord/buildings/:id/site', render: ({ params }) => <SitePage id={params.id!} /> },
    platesPage,
    { pattern: '/landlord/buildings/:id/score', render: ({ params, user }) => <ScorePage id={params.id!} base='/landlord' back={`/landlord/buildings/${encodeURIComponent(params.id!)}`} user={user} /> },
  ],
}
