import { AlertPage } from '../dispatch/alert-page.tsx'
import { POLICY_PAGES } from '../dispatch/dispatch-console.tsx'
import { HandoverPage } from '../dispatch/handover-page.tsx'
import { QueuePage } from '../dispatch/queue-page.tsx'
import { platesPage } from '../patrols/patrol-pages.tsx'
import { AreaSettingsPage } from '../policy/area-settings-page.tsx'
import { KpisPage } from '../kpis/kpis-page.tsx'
import type { Console } from '../routes.ts'
import { AreasPage } from './areas-page.tsx'
import { DevicesPage } from './devices-page.tsx'
import { ExchangePage } from './exchange-page.tsx'
import { UsersPage } from './users-page.tsx'
import { WebhooksPage } from './webhooks-page.tsx'

export const adminConsole: Console = {
  nav: [
    { path: '/admin/users', label: 'nav.admin.users' },
    { path: '/admin/areas', label: 'nav.admin.areas' },
    { path: '/admin/webhooks', label: 'nav.admin.webhooks' },
    { path: '/admin/devices', label: 'nav.admin.devices' },
    { path: '/admin/exchange', label: 'nav.admin.exchange' },
    { path: '/admin/policy', label: 'nav.policy.settings' },
    { path: '/admin/kpis', label: 'nav.kpis' },
    { path: '/dispatch', label: 'nav.dispatch.queue' },
    { path: '/dispatch/handover', label: 'nav.dispatch.handover' },
    { path: '/dispatch/grade-proposals', label: 'nav.policy.proposals' },
  ],
  pages: [
    { pattern: '/admin/users', render: ({ user }) => <UsersPage me={user} /> },
    { pattern: '/admin/areas', render: () => <AreasPage /> },
    { pattern: '/admin/webhooks', render: () => <WebhooksPage /> },
    { pattern: '/admin/devices', render: ({ user }) => <DevicesPage user={user} /> },
    { pattern: '/admin/exchange', render: () => <ExchangePage /> },
    { pattern: '/admin/kpis', render: ({ path }) => <KpisPage base='/admin/kpis' path={path} /> },
    { pattern: '/dispatch', render: () => <QueuePage /> },
    { pattern: '/dispatch/alerts/:id', render: ({ params, user }) => <AlertPage id={params.id!} user={user} /> },
    // A building's door plates, opened by its address (the admin console has no building pages to link them from).
    platesPage,
    { pattern: '/dispatch/handover', render: ({ user, path }) => <HandoverPage user={user} path={path} /> },
    { pattern: '/admin/policy', render: ({ path, user }) => <AreaSettingsPage base='/admin' path={path} user={user} /> },
    ...POLICY_PAGES,
  ],
}
