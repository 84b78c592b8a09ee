// Identity documents: the checks are the contract's (contract/national-id.ts),
// so a console's form judges a number as the platform does.

export { gb11643CheckChar, normalizeIdNumber, validateIdNumber, type IdCheck } from '../../contract/national-id.ts'
export { ID_TYPES, type IdType } from '../../contract/vocabulary.ts'
