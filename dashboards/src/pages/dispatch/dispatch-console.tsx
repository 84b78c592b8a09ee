import { patrolPages } from '../patrols/patrol-pages.tsx'
import type { Console } from '../routes.ts'
import { AlertPage } from './alert-page.tsx'
import { HandoverPage } from './handover-page.tsx'
import { MapPage } from './map-page.tsx'
import { QueuePage } from './queue-page.tsx'
import './dispatch.css'

export const dispatchConsole: Console = {
  nav: [
    { path: '/dispatch', label: 'nav.dispatch.queue' },
    { path: '/dispatch/map', label: 'nav.dispatch.map' },
    { path: '/dispatch/handover', label: 'nav.dispatch.handover' },
    { path: '/dispatch/patrols', label: 'nav.patrols' },
  ],
  pages: [
    { pattern: '/dispatch', render: () => <QueuePage /> },
    { pattern: '/dispatch/map', render: () => <MapPage /> },
    { pattern: '/dispatch/handover', render: ({ user }) => <HandoverPage user={user} /> },
    { pattern: '/dispatch/alerts/:id', render: ({ params, user }) => <AlertPage id={params.id!} user={user} /> },
    ...patrolPages('/dispatch/patrols'),
  ],
}
