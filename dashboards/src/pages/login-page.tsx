import { useState } from 'preact/hooks'
import type { User } from '../../../contract/schemas/registry.ts'
import { ApiError } from '../../../contract/client.ts'
import { errorText } from '../components/error-text.tsx'
import { language, setLanguage, t } from '../i18n/index.ts'
import { signIn, takeSessionEnded } from '../session.ts'

export function LoginPage ({ onSignedIn, onLanguage }: { onSignedIn: (u: User) => void; onLanguage: () => void }) {
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>()
  // Came here because the session ended under the last page (live-alerts.ts): say so, once.
  const [ended] = useState(takeSessionEnded)

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      onSignedIn(await signIn(username.trim(), password))
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? t('login.failed') : err instanceof ApiError && err.status === 429 ? t('login.throttled') : errorText(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <main class='login' id='main'>
      <form class='card' onSubmit={submit} aria-labelledby='login-title'>
        <h1 id='login-title'>{t('app.title')}</h1>
        <h2>{t('login.title')}</h2>
        <label>
          {t('login.username')}
          <input name='username' autocomplete='username' required value={username} onInput={(e) => setUsername(e.currentTarget.value)} autofocus />
        </label>
        <label>
          {t('login.password')}
          <input name='password' type='password' autocomplete='current-password' required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        {ended && error === undefined && <p class='warn' role='status'>{t('error.sessionEnded')}</p>}
        {error !== undefined && <p class='error' role='alert'>{error}</p>}
        <button type='submit' class='primary' disabled={busy}>{busy ? t('login.busy') : t('login.submit')}</button>
        <button type='button' class='link' onClick={() => { setLanguage(language() === 'zh-CN' ? 'en' : 'zh-CN'); onLanguage() }}>{t('lang.switch')}</button>
      </form>
    </main>
  )
}
