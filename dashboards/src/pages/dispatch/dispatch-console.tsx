import type { Console } from '../routes.ts'
import { AlertPage } from './alert-page.tsx'
import { QueuePage } from './queue-page.tsx'

export const dispatchConsole: Console = {
  nav: [
    { path: '/dispatch', label: 'nav.dispatch.queue' },
  ],
  pages: [
    { pattern: '/dispatch', render: () => <QueuePage /> },
    { pattern: '/dispatch/alerts/:id', render: ({ params, user }) => <AlertPage id={params.id!} user={user} /> },
  ],
}
