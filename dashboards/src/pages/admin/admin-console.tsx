import { AlertPage } from '../dispatch/alert-page.tsx'
import { QueuePage } from '../dispatch/queue-page.tsx'
import type { Console } from '../routes.ts'
import { DevicesPage } from './devices-page.tsx'
import { UsersPage } from './users-page.tsx'

export const adminConsole: Console = {
  nav: [
    { path: '/admin/users', label: 'nav.admin.users' },
    { path: '/admin/devices', label: 'nav.admin.devices' },
    { path: '/dispatch', label: 'nav.dispatch.queue' },
  ],
  pages: [
    { pattern: '/admin/users', render: () => <UsersPage /> },
    { pattern: '/admin/devices', render: () => <DevicesPage /> },
    { pattern: '/dispatch', render: () => <QueuePage /> },
    { pattern: '/dispatch/alerts/:id', render: ({ params, user }) => <AlertPage id={params.id!} user={user} /> },
  ],
}
