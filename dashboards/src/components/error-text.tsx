import { ApiError } from '../../../contract/client.ts'
import { t } from '../i18n/index.ts'

/** An error in the reader's words: the platform's message for a refused request, a plain sentence otherwise. */
export function errorText (err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 401) return t('error.sessionEnded')
    if (err.status === 403) return `${t('error.forbidden')}（${err.message}）`
    return t('error.generic', { message: err.message })
  }
  if (err instanceof TypeError) return t('error.network')
  return t('error.generic', { message: err instanceof Error ? err.message : String(err) })
}

export function ErrorText ({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null
  return <p class='error' role='alert'>{errorText(error)}</p>
}
