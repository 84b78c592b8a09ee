// A secret the platform shows once (a device's password, a webhook's signing
// secret, a new account's password): each value with a copy button, and a
// plain warning that it will not be shown again.

import { Fragment, type ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { t } from '../i18n/index.ts'

export interface ShownOnceItem { label: string; value: string }

export function ShownOnce ({ title, items, children, onDone }: {
  title: string
  items: ShownOnceItem[]
  /** What to do with the values next, in words. */
  children?: ComponentChildren
  onDone: () => void
}) {
  const [copied, setCopied] = useState<string | undefined>()
  const [failed, setFailed] = useState(false)
  const copy = async (item: ShownOnceItem): Promise<void> => {
    try {
      await navigator.clipboard.writeText(item.value)
      setFailed(false)
      setCopied(item.label)
    } catch {
      // No clipboard here (permission, an insecure page): the value stays selectable.
      setCopied(undefined)
      setFailed(true)
    }
  }
  return (
    <section class='card shown-once' aria-labelledby='shown-once-title'>
      <h2 id='shown-once-title'>{title}</h2>
      <p class='warn'>{t('shownOnce.warning')}</p>
      <dl class='facts secrets'>
        {items.map((item) => (
          <Fragment key={item.label}>
            <dt>{item.label}</dt>
            <dd>
              <code class='secret' data-label={item.label}>{item.value}</code>
              <button type='button' class='link' onClick={() => { void copy(item) }} aria-label={t('shownOnce.copyLabel', { what: item.label })}>
                {t('shownOnce.copy')}
              </button>
            </dd>
          </Fragment>
        ))}
      </dl>
      <p role='status' class='muted'>
        {copied !== undefined ? t('shownOnce.copied', { what: copied }) : failed ? t('shownOnce.copyFailed') : ''}
      </p>
      {children}
      <div class='actions'>
        <button type='button' class='primary' onClick={onDone}>{t('shownOnce.done')}</button>
      </div>
    </section>
  )
}
