// A small form that does one thing on the platform: its fields, the error in
// words if the call is refused, the confirming button (busy while the call
// runs) and a cancel button.

import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { t } from '../i18n/index.ts'
import { ErrorText } from './error-text.tsx'

export function ActionForm ({ label, submit, danger = false, run, onDone, onCancel, children }: {
  /** The form's accessible name. */
  label: string
  /** The confirming button's text. */
  submit: string
  danger?: boolean
  /** The call; a refusal is shown and the form stays. */
  run: () => Promise<unknown>
  onDone: () => void
  onCancel: () => void
  children: ComponentChildren
}) {
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const onSubmit = async (e: Event): Promise<void> => {
    e.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      await run()
    } catch (err) {
      setError(err)
      setBusy(false)
      return
    }
    onDone()
  }
  return (
    <form onSubmit={onSubmit} class='inline-form' aria-label={label}>
      {children}
      <ErrorText error={error} />
      <div class='actions'>
        <button type='submit' class={danger ? 'danger' : 'primary'} disabled={busy}>{submit}</button>
        <button type='button' onClick={onCancel}>{t('common.cancel')}</button>
      </div>
    </form>
  )
}
