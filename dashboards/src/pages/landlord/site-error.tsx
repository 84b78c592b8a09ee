// A refusal of the landlord's site tools in words: the platform's error code
// turned into a sentence about the site (a card in use, a device not
// approved), else the consoles' wording by code; the platform's own message
// only as the secondary line.

import { ApiError } from '../../../../contract/client.ts'
import { ErrorLines, ErrorText, errorDetail } from '../../components/error-text.tsx'
import { hasText, t } from '../../i18n/index.ts'

export function SiteError ({ error }: { error: unknown }) {
  if (error instanceof ApiError) {
    const key = `landlordSite.error.${error.code}`
    if (hasText(key)) return <ErrorLines text={t(key)} detail={errorDetail(error)} />
  }
  return <ErrorText error={error} />
}
