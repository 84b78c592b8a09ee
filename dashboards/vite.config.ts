// The consoles' build. `npm start` runs it when the build is stale
// (platform/console/console-build.ts); `npm run build:console` runs it by hand.
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  // Preact's JSX without a plugin: esbuild compiles it.
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // ECharts alone is most of a megabyte before compression; it loads only with the pages that draw charts.
    chunkSizeWarningLimit: 1200,
    reportCompressedSize: false,
  },
  // Everything the pages need is bundled: no CDN, no web fonts (machines here reach no internet).
  server: { proxy: { '/auth': 'http://127.0.0.1:8080', '/alerts': 'http://127.0.0.1:8080' } },
})
