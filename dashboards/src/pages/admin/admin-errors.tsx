// The platform's refusals of the administrator's requests in words: the code
// and what the message names (a taken username, a role without its area),
// falling back to the shell's wording by code; the platform's own message is
// the secondary line.

import { ApiError } from '../../../../contract/client.ts'
import { ErrorLines, errorDetail, errorText } from '../../components/error-text.tsx'
import { t, type MessageKey } from '../../i18n/index.ts'

const BY_MESSAGE: Array<[RegExp, MessageKey]> = [
  [/username .* is taken/, 'admin.error.usernameTaken'],
  [/needs an areaId/, 'admin.error.roleNeedsArea'],
  [/has no areaId/, 'admin.error.roleHasNoArea'],
  [/needs an organisation/, 'admin.error.vendorNeedsOrganisation'],
  [/password must have/, 'admin.error.passwordShort'],
  [/area .* already exists/, 'admin.error.areaIdTaken'],
  [/the parent of a|needs a parent|has no parent/, 'admin.error.areaParent'],
  [/vendor is required/, 'admin.error.vendorRequired'],
  [/no key to keep|holds no key/, 'admin.error.noKeyToKeep'],
]

/** The words for a refusal of `err`; `fallback` names what a 409 or 400 means on this form. */
export function adminErrorText (err: unknown, fallback: { conflict?: MessageKey; badRequest?: MessageKey } = {}): string {
  if (!(err instanceof ApiError)) return errorText(err)
  for (const [pattern, key] of BY_MESSAGE) if (pattern.test(err.message)) return t(key)
  if (err.code === 'RH_VALIDATION') {
    if (/username/.test(err.message)) return t('admin.error.usernameFormat')
    if (/password/.test(err.message)) return t('admin.error.passwordShort')
    if (/\bid\b|door|pattern/.test(err.message)) return t('admin.error.idFormat')
  }
  if (err.status === 409 && fallback.conflict !== undefined) return t(fallback.conflict)
  if (err.status === 400 && fallback.badRequest !== undefined) return t(fallback.badRequest)
  if (err.status === 404) return t('admin.error.notFound')
  return errorText(err)
}

export function AdminError ({ error, conflict, badRequest }: { error: unknown; conflict?: MessageKey; badRequest?: MessageKey }) {
  if (error === undefined || error === null) return null
  return <ErrorLines text={adminErrorText(error, { ...(conflict === undefined ? {} : { conflict }), ...(badRequest === undefined ? {} : { badRequest }) })} detail={errorDetail(error)} />
}
