// The platform's REST API as the simulator uses it: log in, call routes as a
// landlord or an administrator, read every alert of some buildings (all pages,
// all statuses). Plain fetch; errors carry the platform's code and message.

import type { PlatformAlert } from '../score/match.ts'

export class ApiError extends Error {
  constructor (readonly status: number, readonly code: string, message: string, readonly route: string) {
    super(`${route}: ${status} ${code} ${message}`)
    this.name = 'ApiError'
  }
}

export class PlatformApi {
  /** Calls made, for progress reports. */
  calls = 0

  constructor (readonly base: string, private readonly token: string) {}

  static async login (base: string, username: string, password: string): Promise<PlatformApi> {
    const anon = new PlatformApi(base, '')
    const r = await anon.call<{ token: string }>('POST', '/auth/login', { username, password })
    return new PlatformApi(base, r.token)
  }

  async call<T = unknown> (method: string, path: string, body?: unknown): Promise<T> {
    this.calls++
    const headers: Record<string, string> = {}
    if (this.token !== '') headers.authorization = `Bearer ${this.token}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    const res = await fetch(new URL(path, this.base), { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
    const text = await res.text()
    const parsed = text.length === 0 ? undefined : JSON.parse(text) as unknown
    if (!res.ok) {
      const e = (parsed ?? {}) as { code?: string; message?: string }
      throw new ApiError(res.status, e.code ?? 'UNKNOWN', e.message ?? text.slice(0, 200), `${method} ${path}`)
    }
    return parsed as T
  }

  /** Every alert of the buildings, whatever their status, oldest first. */
  async alerts (buildingIds: readonly string[]): Promise<PlatformAlert[]> {
    const out: PlatformAlert[] = []
    for (const b of buildingIds) {
      let cursor: string | null = null
      do {
        const q = new URLSearchParams({ buildingId: b, limit: '1000', ...(cursor === null ? {} : { cursor }) })
        const page: { items: PlatformAlert[]; nextCursor: string | null } = await this.call('GET', `/alerts?${q.toString()}`)
        out.push(...page.items)
        cursor = page.nextCursor
      } while (cursor !== null)
    }
    return out.sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt))
  }
}
