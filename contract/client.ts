// The one client of the REST API, for the consoles, the simulator and the
// tests: global fetch (a browser and Node 20 alike), typed per route by the
// contract's schemas, errors as ApiError with the platform's code.
//
//   const api = await ApiClient.login('http://localhost:8080', 'admin', password)
//   const room = await api.request('POST /buildings/:id/rooms', { params: { id }, body: { number: '101', capacity: 2 } })

import type { Static, TSchema } from 'typebox'
import { ApiError } from './errors.ts'
import { LiveStreamReader, type LiveStreamOptions } from './live-stream-reader.ts'
import type { Routes, RouteKey } from './routes/index.ts'
import type { Alert, AlertListQuery, StreamTicket } from './schemas/alerts.ts'

export { ApiError }

type SuccessCode = 200 | 201 | 202 | 204
type StaticOf<S> = S extends TSchema ? Static<S> : never

/** What a route answers on success. */
export type RouteReply<K extends RouteKey> = Routes[K] extends { response: infer R }
  ? { [C in keyof R & SuccessCode]: StaticOf<R[C]> }[keyof R & SuccessCode]
  : never

/** Path parameters, query string and body of a route, as its schemas admit them. */
export type RouteInput<K extends RouteKey> =
  (Routes[K] extends { params: infer P } ? { params: StaticOf<P> } : unknown) &
  (Routes[K] extends { querystring: infer Q } ? { query?: StaticOf<Q> } : unknown) &
  (Routes[K] extends { body: infer B } ? { body: StaticOf<B> } : unknown)

/** The input argument: optional for routes that take none. */
type InputArgs<K extends RouteKey> = Routes[K] extends { params: unknown } | { body: unknown } ? [input: RouteInput<K>] : [input?: RouteInput<K>]

export interface ApiClientOptions {
  /** Session token (POST /auth/login); empty for the public routes. */
  token?: string
  /** Abort a call after this long; default none. */
  timeoutMs?: number
  /** A browser's cookie session: the X-RH-CSRF token its changing calls send (GET /auth/session). */
  csrfToken?: string
}

export class ApiClient {
  /** Calls made, for progress reports. */
  calls = 0
  token: string
  /** Set for a cookie session (the consoles); sent as X-RH-CSRF. */
  csrfToken: string
  private readonly timeoutMs: number | undefined

  constructor (readonly base: string, o: ApiClientOptions | string = {}) {
    const options = typeof o === 'string' ? { token: o } : o
    this.token = options.token ?? ''
    this.csrfToken = options.csrfToken ?? ''
    this.timeoutMs = options.timeoutMs
  }

  /** A client with the session of `username`. */
  static async login (base: string, username: string, password: string, o: Omit<ApiClientOptions, 'token'> = {}): Promise<ApiClient> {
    const c = new ApiClient(base, o)
    await c.login(username, password)
    return c
  }

  /** Logs in and keeps the token for the calls that follow. */
  async login (username: string, password: string): Promise<RouteReply<'POST /auth/login'>> {
    const r = await this.request('POST /auth/login', { body: { username, password } })
    this.token = r.token
    return r
  }

  /**
   * Logs in the way a console does: the browser keeps the session as an HttpOnly cookie (no script can read it)
   * and this client keeps only the CSRF token that proves a call comes from the console's own page.
   */
  async loginWithCookie (username: string, password: string): Promise<RouteReply<'POST /auth/login'>> {
    const r = await this.request('POST /auth/login', { body: { username, password, cookie: true } })
    this.token = ''
    this.csrfToken = r.csrfToken ?? ''
    return r
  }

  /** Ends the session; the client then has no token. */
  async logout (): Promise<void> {
    await this.request('POST /auth/logout')
    this.token = ''
    this.csrfToken = ''
  }

  /** Calls a route of the contract: `request('GET /buildings/:id', { params: { id } })`. */
  async request<K extends RouteKey> (route: K, ...[input]: InputArgs<K>): Promise<RouteReply<K>> {
    const i = (input ?? {}) as { params?: Record<string, string>; query?: Record<string, unknown>; body?: unknown }
    const space = route.indexOf(' ')
    const method = route.slice(0, space)
    let path = route.slice(space + 1).replace(/:([A-Za-z]+)/g, (_, name: string) => {
      const v = i.params?.[name]
      if (v === undefined) throw new TypeError(`${route}: no value for :${name}`)
      return encodeURIComponent(v)
    })
    const query = new URLSearchParams()
    for (const [k, v] of Object.entries(i.query ?? {})) if (v !== undefined) query.set(k, String(v))
    if (query.size > 0) path += `?${query.toString()}`
    return await this.call<RouteReply<K>>(method, path, i.body)
  }

  /** Any call, untyped: for tests of refused input (a body the contract's types would not allow). */
  async call<T = unknown> (method: string, path: string, body?: unknown): Promise<T> {
    this.calls++
    const headers: Record<string, string> = {}
    if (this.token !== '') headers.authorization = `Bearer ${this.token}`
    if (this.csrfToken !== '') headers['x-rh-csrf'] = this.csrfToken
    if (body !== undefined) headers['content-type'] = 'application/json'
    const res = await fetch(new URL(path, this.base), {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(this.timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(this.timeoutMs) }),
    })
    const text = await res.text()
    if (!res.ok) throw ApiError.from(res.status, text, `${method} ${path}`)
    return (text.length === 0 ? undefined : JSON.parse(text)) as T
  }

  /** Every alert the query selects, page after page (newest first, as GET /alerts answers). */
  async * alerts (query: Omit<AlertListQuery, 'cursor'> = {}): AsyncGenerator<Alert> {
    let cursor: string | null = null
    do {
      const page: RouteReply<'GET /alerts'> = await this.request('GET /alerts', { query: { ...query, ...(cursor === null ? {} : { cursor }) } })
      yield * page.items
      cursor = page.nextCursor
    } while (cursor !== null)
  }

  /** A single-use ticket for the live stream (POST /alerts/stream/ticket). */
  async streamTicket (): Promise<StreamTicket> {
    return await this.request('POST /alerts/stream/ticket')
  }

  /** Opens the live alert stream with this client's session (see LiveStreamReader). */
  async liveStream (o: Omit<LiveStreamOptions, 'base' | 'token'> = {}): Promise<LiveStreamReader> {
    return await LiveStreamReader.open({ ...o, base: this.base, token: this.token })
  }
}
