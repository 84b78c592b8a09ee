import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['{protocol,contract,platform,gateway,firmware-sim,dashboards,test}/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // No PostgreSQL server at PG_TEST_URL (and not CI): start one for the run.
    globalSetup: ['test/support/global-setup.ts'],
  },
})
