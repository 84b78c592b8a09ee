// The console's one API client and who is signed in. The session is an
// HttpOnly cookie the browser keeps (no script can read it); the client holds
// only the CSRF token its changing calls repeat.

import { ApiClient, ApiError } from '../../contract/client.ts'
import type { User } from '../../contract/schemas/registry.ts'

export const api = new ApiClient(globalThis.location?.origin ?? 'http://localhost')

/** The account of the cookie session the browser has, or null when it has none. */
export async function restoreSession (): Promise<User | null> {
  try {
    const s = await api.request('GET /auth/session')
    api.csrfToken = s.csrfToken ?? ''
    return s.user
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null
    throw err
  }
}

export async function signIn (username: string, password: string): Promise<User> {
  const r = await api.loginWithCookie(username, password)
  return r.user
}

export async function signOut (): Promise<void> {
  try {
    await api.logout()
  } catch (err) {
    // An expired session is signed out already.
    if (!(err instanceof ApiError && err.status === 401)) throw err
  }
}

export { ApiError }

const ENDED_KEY = 'rh.sessionEnded'

/** The session ended under a page: the sign-in page that follows (after a reload) says so. */
export function markSessionEnded (): void {
  try { globalThis.sessionStorage?.setItem(ENDED_KEY, '1') } catch {}
}

/** Whether the last page of this tab lost its session; asked once, by the sign-in page. */
export function takeSessionEnded (): boolean {
  try {
    const ended = globalThis.sessionStorage?.getItem(ENDED_KEY) === '1'
    globalThis.sessionStorage?.removeItem(ENDED_KEY)
    return ended
  } catch {
    return false
  }
}
