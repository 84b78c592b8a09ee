// An error in the reader's words. A refusal of the platform is worded by its
// error code (and the field, where the platform names one) in the reader's
// language; the platform's own message, which is English, is only ever the
// secondary line under it, never part of the sentence.

import { ApiError } from '../../../contract/client.ts'
import { hasText, t } from '../i18n/index.ts'

/** The platform's message without the `METHOD /path: 409 RH_CODE ` the client puts before it. */
export function platformMessage (e: ApiError): string {
  const prefix = `${e.route}: ${e.status} ${e.code} `
  return e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message
}

/** The field a schema refusal names (`body/permitValidUntil must match format "date"` → `permitValidUntil`). */
export function refusedField (e: ApiError): string | undefined {
  if (e.code !== 'RH_VALIDATION') return undefined
  const m = /^(?:body|querystring|params)\/([\w/]+)/.exec(platformMessage(e))
  return m === null ? undefined : m[1]!.replace(/\//g, '.')
}

/** The sentence for an error, in the reader's language, without the platform's English. */
export function errorText (err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 401) return t('error.sessionEnded')
    if (err.status === 403) return t('error.forbidden')
    const field = refusedField(err)
    if (field !== undefined) return t('error.code.fieldRefused', { field })
    const key = `error.code.${err.code}`
    return hasText(key) ? t(key) : t('error.refused', { status: err.status })
  }
  if (err instanceof TypeError) return t('error.network')
  return t('error.generic', { message: err instanceof Error ? err.message : String(err) })
}

/** The platform's own words for a refusal (English), for the secondary line; none for a session that ended. */
export function errorDetail (err: unknown): string | undefined {
  if (!(err instanceof ApiError) || err.status === 401) return undefined
  const m = platformMessage(err).trim()
  return m === '' ? undefined : m
}

/** A sentence with the platform's message as the secondary line. */
export function ErrorLines ({ text, detail }: { text: string; detail?: string | undefined }) {
  return (
    <p class='error' role='alert'>
      {text}
      {detail !== undefined && <small class='error-detail' lang='en'>{detail}</small>}
    </p>
  )
}

export function ErrorText ({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null
  return <ErrorLines text={errorText(error)} detail={errorDetail(error)} />
}
