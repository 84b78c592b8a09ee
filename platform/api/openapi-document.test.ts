// docs/openapi.json is what the app serves at /docs/json: a route or schema
// change that forgot to refresh it fails here.

import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { OPENAPI_FILE, openApiText } from './openapi-document.ts'

describe('docs/openapi.json', () => {
  it('is the document the app generates', async () => {
    const committed = readFileSync(OPENAPI_FILE, 'utf8')
    const generated = await openApiText()
    if (committed !== generated) {
      expect.fail('docs/openapi.json differs from the routes\' schemas: run `npm run openapi` and commit the file')
    }
  })
})
