// Serves the built consoles at `/`. They are public files (the login page is
// one of them); everything they show comes from the API under the session.
// The consoles route by the URL's hash (`/#/dispatch`), so no page path can
// collide with an API path such as /buildings.

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyPluginAsync } from 'fastify'

/** Scripts and styles from this site only; no frames of it elsewhere; pictures may be data: URLs (QR codes). */
const CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data: blob:", "connect-src 'self'",
  "font-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ')

const NOT_BUILT = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>控制台尚未构建</title>
<body style="font-family:sans-serif;max-width:40em;margin:4em auto;line-height:1.6">
<h1>控制台尚未构建 / The consoles are not built</h1>
<p>运行 <code>npm start</code> 会自动构建；也可以运行 <code>npm run build:console</code>。</p>
<p><code>npm start</code> builds them by itself; or run <code>npm run build:console</code>. The API is at <a href="/docs">/docs</a>.</p>`

export const consoleRoutes: FastifyPluginAsync<{ dist: string }> = async (app, { dist }) => {
  // Every route of this plugin is a public file.
  app.addHook('onRoute', (route) => { route.config = { ...(route.config ?? {}), public: true } })
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', CSP)
    reply.header('x-content-type-options', 'nosniff')
    reply.header('referrer-policy', 'same-origin')
    return payload
  })

  if (!existsSync(join(dist, 'index.html'))) {
    app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.status(503).type('text/html; charset=utf-8').send(NOT_BUILT))
    return
  }
  await app.register(fastifyStatic, {
    root: dist,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    dotfiles: 'ignore',
    cacheControl: false,
    setHeaders (reply, path) {
      // Bundles carry a content hash in their names: cache them for good. The page itself is always asked anew.
      reply.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache')
    },
  })
}
