// A refusal of the landlord's site tools in words: the platform's error code
// turned into a sentence, the platform's own message where it adds something.

import { ApiError } from '../../../../contract/client.ts'
import { ErrorText } from '../../components/error-text.tsx'
import { hasText, t } from '../../i18n/index.ts'

/** The platform's message without the `METHOD /path: 409 RH_CODE ` the client puts before it. */
const platformMessage = (e: ApiError): string => e.message.slice(`${e.route}: ${e.status} ${e.code} `.length)

export function SiteError ({ error }: { error: unknown }) {
  if (error instanceof ApiError) {
    const key = `landlordSite.error.${error.code}`
    if (hasText(key)) return <p class='error' role='alert'>{t(key, { message: platformMessage(error) })}</p>
  }
  return <ErrorText error={error} />
}
