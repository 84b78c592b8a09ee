// A button for what cannot be undone (remove, rotate, disable): pressing it
// asks the question in place, with the confirming button focused and a way
// back.

import { useEffect, useRef, useState } from 'preact/hooks'
import { t } from '../i18n/index.ts'

export function ConfirmButton ({ label, question, confirmLabel, onConfirm, busy = false }: {
  label: string
  question: string
  confirmLabel: string
  onConfirm: () => void
  busy?: boolean
}) {
  const [asking, setAsking] = useState(false)
  const yes = useRef<HTMLButtonElement>(null)
  const opener = useRef<HTMLButtonElement>(null)
  useEffect(() => { if (asking) yes.current?.focus() }, [asking])
  if (!asking) return <button type='button' ref={opener} onClick={() => setAsking(true)} disabled={busy}>{label}</button>
  return (
    <span class='confirm' role='group' aria-label={question}>
      <span class='question'>{question}</span>
      <button type='button' class='danger' ref={yes} disabled={busy} onClick={() => { setAsking(false); onConfirm() }}>{confirmLabel}</button>
      <button type='button' onClick={() => setAsking(false)}>{t('common.cancel')}</button>
    </span>
  )
}
