// The API contract: what a console, the simulator or a browser needs to talk
// to the platform. No node: imports and nothing from platform/, so a browser
// bundle can import it (contract.test.ts holds it to that).

export * from './vocabulary.ts'
export * from './alert-candidate.ts'
export * from './errors.ts'
export * from './national-id.ts'
export * from './schemas/fields.ts'
export * from './schemas/registry.ts'
export * from './schemas/alerts.ts'
export * from './routes/index.ts'
export * from './type-equal.ts'
export * from './client.ts'
export * from './live-stream-reader.ts'
