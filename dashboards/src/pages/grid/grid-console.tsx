import { AlertPage } from '../dispatch/alert-page.tsx'
import { QueuePage } from '../dispatch/queue-page.tsx'
import type { Console } from '../routes.ts'

export const gridConsole: Console = {
  nav: [
    { path: '/grid', label: 'nav.grid.tasks' },
  ],
  pages: [
    { pattern: '/grid', render: () => <QueuePage base='/grid' /> },
    { pattern: '/grid/alerts/:id', render: ({ params, user }) => <AlertPage id={params.id!} user={user} base='/grid' /> },
  ],
}
