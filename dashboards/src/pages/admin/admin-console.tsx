import { AlertPage } from '../dispatch/alert-page.tsx'
import { QueuePage } from '../dispatch/queue-page.tsx'
import type { Console } from '../routes.ts'
import { UsersPage } from './users-page.tsx'

export const adminConsole: Console = {
  nav: [
    { path: '/admin/users', label: 'nav.admin.users' },
    { path: '/dispatch', label: 'nav.dispatch.queue' },
  ],
  pages: [
    { pattern: '/admin/users', render: () => <UsersPage /> },
    { pattern: '/dispatch', render: () => <QueuePage /> },
    { pattern: '/dispatch/alerts/:id', render: ({ params, user }) => <AlertPage id={params.id!} user={user} /> },
  ],
}
