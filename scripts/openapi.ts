// Writes docs/openapi.json, the OpenAPI document of the HTTP API, from the
// app's route schemas. Run: npm run openapi

import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { OPENAPI_FILE, openApiText } from '../platform/api/openapi-document.ts'

writeFileSync(OPENAPI_FILE, await openApiText())
console.log(`wrote ${fileURLToPath(OPENAPI_FILE)}`)
