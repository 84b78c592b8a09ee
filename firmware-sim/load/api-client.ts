// A small client of the platform API for the load tools: login, JSON calls
// with the bearer token, and a bounded number of calls in flight.

export class ApiError extends Error {
  constructor (readonly status: number, readonly body: string, what: string) {
    super(`${what}: ${status} ${body.slice(0, 300)}`)
  }
}

export class ApiClient {
  constructor (readonly base: string, public token = '') {}

  static async login (base: string, username: string, password: string): Promise<ApiClient> {
    const c = new ApiClient(base)
    const r = await c.call<{ token: string }>('POST', '/auth/login', { username, password })
    c.token = r.token
    return c
  }

  async call<T = unknown> (method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {}
    if (this.token !== '') headers.authorization = `Bearer ${this.token}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    const res = await fetch(new URL(path, this.base), {
      method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }), signal: AbortSignal.timeout(60_000),
    })
    const text = await res.text()
    if (!res.ok) throw new ApiError(res.status, text, `${method} ${path}`)
    return (text.length === 0 ? undefined : JSON.parse(text)) as T
  }
}

/** Runs `f` over `items` with at most `limit` calls in flight; results in order. */
export async function inParallel<I, O> (items: readonly I[], limit: number, f: (item: I, index: number) => Promise<O>): Promise<O[]> {
  const out = new Array<O>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      out[i] = await f(items[i]!, i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}
