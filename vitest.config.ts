import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['{protocol,contract,platform,gateway,firmware-sim,dashboards,test}/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
})
