import { patrolPages } from '../patrols/patrol-pages.tsx'
import type { Console, Page } from '../routes.ts'
import { AreaSettingsPage } from '../policy/area-settings-page.tsx'
import { HousesByGradePage } from '../policy/houses-by-grade-page.tsx'
import { ProposalPage, ProposalsPage } from '../policy/proposals-page.tsx'
import { ScorePage } from '../policy/score-page.tsx'
import { ExchangePage } from '../admin/exchange-page.tsx'
import { KpisPage } from '../kpis/kpis-page.tsx'
import { AlertPage } from './alert-page.tsx'
import { HandoverPage } from './handover-page.tsx'
import { MapPage } from './map-page.tsx'
import { QueuePage } from './queue-page.tsx'
import './dispatch.css'

/** The grade pages police and administrators decide on (the admin console has them too). */
export const POLICY_PAGES: Page[] = [
  { pattern: '/dispatch/grade-proposals', render: () => <ProposalsPage base='/dispatch' /> },
  { pattern: '/dispatch/grade-proposals/:id', render: ({ params, user }) => <ProposalPage id={params.id!} base='/dispatch' user={user} /> },
  { pattern: '/dispatch/houses/:id/score', render: ({ params, user }) => <ScorePage id={params.id!} base='/dispatch' back='/dispatch/houses' user={user} /> },
]

export const dispatchConsole: Console = {
  nav: [
    { path: '/dispatch', label: 'nav.dispatch.queue' },
    { path: '/dispatch/map', label: 'nav.dispatch.map' },
    { path: '/dispatch/handover', label: 'nav.dispatch.handover' },
    { path: '/dispatch/patrols', label: 'nav.patrols' },
    { path: '/dispatch/grade-proposals', label: 'nav.policy.proposals' },
    { path: '/dispatch/houses', label: 'nav.policy.houses' },
    { path: '/dispatch/policy', label: 'nav.policy.settings' },
    { path: '/dispatch/kpis', label: 'nav.kpis' },
    { path: '/dispatch/exchange', label: 'nav.admin.exchange' },
  ],
  pages: [
    { pattern: '/dispatch', render: () => <QueuePage /> },
    { pattern: '/dispatch/map', render: () => <MapPage /> },
    { pattern: '/dispatch/handover', render: ({ user, path }) => <HandoverPage user={user} path={path} /> },
    { pattern: '/dispatch/kpis', render: ({ path }) => <KpisPage base='/dispatch/kpis' path={path} /> },
    { pattern: '/dispatch/exchange', render: () => <ExchangePage canImport={false} /> },
    { pattern: '/dispatch/alerts/:id', render: ({ params, user }) => <AlertPage id={params.id!} user={user} /> },
    ...patrolPages('/dispatch/patrols'),
    ...POLICY_PAGES,
    { pattern: '/dispatch/houses', render: ({ path }) => <HousesByGradePage base='/dispatch' list='/dispatch/houses' path={path} /> },
    { pattern: '/dispatch/policy', render: ({ path, user }) => <AreaSettingsPage base='/dispatch' path={path} user={user} /> },
  ],
}
