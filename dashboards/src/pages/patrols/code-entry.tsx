// Where a patroller types a plate's code (or pastes what the QR held) to open
// the house record. A phone's camera opens the plate's URL directly.

import { useState } from 'preact/hooks'
import { readHouseCode } from '../../../../contract/house-codes.ts'
import { t } from '../../i18n/index.ts'
import { navigate } from '../../router.ts'

export function CodeEntry () {
  const [text, setText] = useState('')
  const [invalid, setInvalid] = useState(false)
  const open = (e: Event): void => {
    e.preventDefault()
    const code = readHouseCode(text)
    setInvalid(code === undefined)
    if (code !== undefined) navigate(`/h/${code}`)
  }
  return (
    <form class='grid-feedback code-entry' onSubmit={open}>
      <label>{t('patrols.code.label')}
        <input
          name='code' autoComplete='off' autoCapitalize='characters' inputMode='text' maxLength={200} value={text}
          aria-invalid={invalid} onInput={(e) => setText(e.currentTarget.value)} placeholder='ABCD-EFGH'
        />
      </label>
      {invalid && <p class='warn' role='alert'>{t('patrols.code.invalid')}</p>}
      <div class='grid-buttons'><button type='submit' class='primary'>{t('patrols.code.open')}</button></div>
    </form>
  )
}
