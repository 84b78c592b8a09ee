// Pages are addressed by the URL's hash (`#/landlord/buildings/b1`): the
// platform serves one page at `/` and every other path stays the API's.

import { useEffect, useState } from 'preact/hooks'

export function currentPath (): string {
  const h = globalThis.location?.hash ?? ''
  return h.startsWith('#/') ? h.slice(1) : '/'
}

/** The current path, re-rendering on every change. */
export function usePath (): string {
  const [path, setPath] = useState(currentPath())
  useEffect(() => {
    const on = (): void => setPath(currentPath())
    addEventListener('hashchange', on)
    return () => removeEventListener('hashchange', on)
  }, [])
  return path
}

export function href (path: string): string { return `#${path}` }

export function navigate (path: string): void { location.hash = path }

/** Matches `/rooms/:id` against a path; the named parts, decoded, or null. */
export function match (pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/')
  const a = path.split('?')[0]!.split('/')
  if (p.length !== a.length) return null
  const out: Record<string, string> = {}
  for (let i = 0; i < p.length; i++) {
    const want = p[i]!
    const got = a[i]!
    if (want.startsWith(':')) {
      if (got === '') return null
      out[want.slice(1)] = decodeURIComponent(got)
    } else if (want !== got) return null
  }
  return out
}

/** The query part of the hash path (`#/dispatch?severity=major`). */
export function queryOf (path: string): URLSearchParams {
  const i = path.indexOf('?')
  return new URLSearchParams(i < 0 ? '' : path.slice(i + 1))
}
