// The patrol pages as a console mounts them: the patrols due at `base`, the
// house record a plate opens (`/h/<code>`, the URL its QR code holds), the
// patrol form and the plate sheet. Grid workers and police share them.

import type { Role } from '../../../../contract/vocabulary.ts'
import type { Page } from '../routes.ts'
import { queryOf } from '../../router.ts'
import { HouseRecordPage } from './house-record-page.tsx'
import { PatrolFormPage } from './patrol-form-page.tsx'
import { PatrolsDuePage } from './patrols-due-page.tsx'
import { PlatesPage } from './plates-page.tsx'

/** Who records patrols and re-inspections (the API's `patrols.record`); a landlord reading a house record does not. */
const PATROLLERS: ReadonlySet<Role> = new Set(['grid_worker', 'police', 'admin'])

export function patrolPages (base: string, housePath?: (buildingId: string) => string): Page[] {
  return [
    { pattern: base, render: () => <PatrolsDuePage {...(housePath === undefined ? {} : { housePath })} /> },
    { pattern: '/h/:code', render: ({ user, params, path }) => <HouseRecordPage code={params.code!} saved={queryOf(path).get('saved') === '1'} back={base} patrols={PATROLLERS.has(user.role)} /> },
    { pattern: '/h/:code/patrol', render: ({ params }) => <PatrolFormPage code={params.code!} /> },
    platesPage,
  ]
}

export const platesPage: Page = { pattern: '/plates/:id', render: ({ params }) => <PlatesPage id={params.id!} /> }
