import type { ComponentChildren } from 'preact'
import { t } from '../i18n/index.ts'
import type { Data } from '../use-data.ts'
import { ErrorText } from './error-text.tsx'

/** Shows the loading state and errors of `data`, and `children(value)` once it is there. */
export function Loaded<T> ({ data, children }: { data: Data<T>; children: (value: T) => ComponentChildren }) {
  if (data.value === undefined) {
    if (data.error !== undefined) {
      return (
        <div>
          <ErrorText error={data.error} />
          <button type='button' onClick={data.reload}>{t('common.retry')}</button>
        </div>
      )
    }
    return <p class='muted' aria-busy='true'>{t('common.loading')}</p>
  }
  return (
    <>
      {data.error !== undefined && <ErrorText error={data.error} />}
      {children(data.value)}
    </>
  )
}
