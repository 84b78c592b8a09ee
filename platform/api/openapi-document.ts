// The OpenAPI document of the HTTP API, built from the app itself with no
// platform behind it (the route schemas are all it needs). `npm run openapi`
// writes it to docs/openapi.json; openapi-document.test.ts fails when that
// file and the app disagree.

import { readFileSync } from 'node:fs'
import { buildApp, type AppDeps } from './app.ts'

export const OPENAPI_FILE = new URL('../../docs/openapi.json', import.meta.url)

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version

/** The document as JSON text, two-space indented with a final newline (as committed). */
export async function openApiText (): Promise<string> {
  // Route handlers never run here: stand-ins for the parts the plugins read when they are registered.
  const deps = { registry: { users: {}, streamTickets: {} }, alerts: { database: {}, clock: () => 0 }, policy: {}, version: VERSION } as unknown as AppDeps
  const app = await buildApp(deps)
  try {
    return `${JSON.stringify(app.swagger(), null, 2)}\n`
  } finally {
    await app.close()
  }
}
