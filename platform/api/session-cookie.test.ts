// The consoles' cookie session over real HTTP: set HttpOnly and SameSite=Strict
// at a cookie login, accepted for reading, refused for a changing call without
// the session's CSRF token or from another site's page, cleared at logout; a
// bearer token works as before.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiClient, ApiError } from '../../contract/client.ts'
import { startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'

describe('cookie sessions for the consoles', () => {
  let tp: TestPlatform
  let base: string
  beforeAll(async () => {
    tp = await startTestPlatform('pglite')
    base = tp.platform.addresses.api
  }, 60_000)
  afterAll(async () => { await tp?.dispose() })

  async function cookieLogin (): Promise<{ cookie: string; csrf: string; setCookie: string }> {
    const res = await fetch(`${base}/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'landlord-li', password: 'demo-password', cookie: true }),
    })
    expect(res.status).toBe(200)
    const setCookie = res.headers.get('set-cookie') ?? ''
    const body = await res.json() as { csrfToken: string }
    return { cookie: setCookie.split(';')[0]!, csrf: body.csrfToken, setCookie }
  }

  it('sets an HttpOnly, SameSite=Strict cookie and returns the CSRF token', async () => {
    const { setCookie, csrf } = await cookieLogin()
    expect(setCookie).toMatch(/^rh_session=[A-Za-z0-9_-]{20,100};/)
    expect(setCookie).toMatch(/HttpOnly/i)
    expect(setCookie).toMatch(/SameSite=Strict/i)
    expect(setCookie).toMatch(/Path=\//)
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  it('a bearer login sets no cookie and carries no CSRF token', async () => {
    const res = await fetch(`${base}/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'landlord-li', password: 'demo-password' }),
    })
    expect(res.headers.get('set-cookie')).toBeNull()
    expect(await res.json()).not.toHaveProperty('csrfToken')
  })

  it('reads with the cookie alone; GET /auth/session repeats the CSRF token', async () => {
    const { cookie, csrf } = await cookieLogin()
    const res = await fetch(`${base}/auth/session`, { headers: { cookie } })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ user: { username: 'landlord-li' }, csrfToken: csrf })
    const buildings = await fetch(`${base}/buildings`, { headers: { cookie } })
    expect(buildings.status).toBe(200)
  })

  it('refuses a changing call without the CSRF token, with a wrong one, or from another origin, and changes nothing', async () => {
    const { cookie, csrf } = await cookieLogin()
    const post = (headers: Record<string, string>) => fetch(`${base}/buildings/demo-b1/rooms`, {
      method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ number: 'X-1', capacity: 1 }),
    })
    const refused: Array<Record<string, string>> = [{}, { 'x-rh-csrf': 'A'.repeat(43) }, { 'x-rh-csrf': csrf, origin: 'https://evil.example' }]
    for (const headers of refused) {
      const res = await post(headers)
      expect(res.status).toBe(403)
      expect(await res.json()).toMatchObject({ code: 'RH_CROSS_SITE' })
    }
    const rooms = await (await fetch(`${base}/buildings/demo-b1/rooms`, { headers: { cookie } })).json() as Array<{ number: string }>
    expect(rooms.map((r) => r.number)).not.toContain('X-1')

    const ok = await post({ 'x-rh-csrf': csrf, origin: base })
    expect(ok.status).toBe(201)
  })

  it('refuses a cookie login started by another site\'s page', async () => {
    const res = await fetch(`${base}/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ username: 'landlord-li', password: 'demo-password', cookie: true }),
    })
    expect(res.status).toBe(403)
    expect(res.headers.get('set-cookie')).toBeNull()
  })

  it('logout ends the session and clears the cookie', async () => {
    const { cookie, csrf } = await cookieLogin()
    const out = await fetch(`${base}/auth/logout`, { method: 'POST', headers: { cookie, 'x-rh-csrf': csrf } })
    expect(out.status).toBe(204)
    expect(out.headers.get('set-cookie')).toMatch(/^rh_session=;.*Expires=Thu, 01 Jan 1970/)
    expect((await fetch(`${base}/auth/session`, { headers: { cookie } })).status).toBe(401)
  })

  it('the typed client logs in with a cookie the way a console does', async () => {
    const c = new ApiClient(base)
    const r = await c.loginWithCookie('landlord-li', 'demo-password')
    expect(c.token).toBe('')
    expect(c.csrfToken).toBe(r.csrfToken)
    // Node's fetch keeps no cookies: without the browser's cookie jar the client has no session.
    await expect(c.request('GET /auth/me')).rejects.toBeInstanceOf(ApiError)
  })
})
