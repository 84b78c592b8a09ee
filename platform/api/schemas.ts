// The REST schemas live in the API contract (contract/), which a browser can
// import; the route files keep importing them from here.

export * from '../../contract/schemas/fields.ts'
export * from '../../contract/schemas/registry.ts'
export { REGISTRATION_STATUSES } from '../../contract/vocabulary.ts'
