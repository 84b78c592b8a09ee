// A small form that does one thing on the platform: its fields, the error in
// words if the call is refused, the confirming button (busy while the call
// runs) and a cancel button. Busy and refusal are the consoles' one useAction.

import type { ComponentChildren } from 'preact'
import { t } from '../i18n/index.ts'
import { useAction } from '../use-action.ts'
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
  const action = useAction()
  // onDone only once the call went through: a refusal is kept by the hook and shown.
  const onSubmit = action.submit(async () => {
    await run()
    onDone()
  })
  return (
    <form onSubmit={onSubmit} class='inline-form' aria-label={label}>
      {children}
      <ErrorText error={action.error} />
      <div class='actions'>
        <button type='submit' class={danger ? 'danger' : 'primary'} disabled={action.busy}>{submit}</button>
        <button type='button' onClick={onCancel}>{t('common.cancel')}</button>
      </div>
    </form>
  )
}
