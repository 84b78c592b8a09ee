// The set-up the console tests share: a real platform on the embedded store
// and the system's Chromium, started before a file's tests and stopped after.

import type { Browser } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { launchBrowser } from './browser.ts'
import { startTestPlatform, type TestPlatform } from './platform.ts'

/**
 * A real platform on the embedded store and a browser for the tests of one file, started before them and
 * stopped after: `const s = consoleSuite()`, then `s.tp`, `s.browser`, `s.base` inside the tests.
 */
export function consoleSuite (): { readonly tp: TestPlatform; readonly browser: Browser; readonly base: string } {
  let tp: TestPlatform | undefined
  let browser: Browser | undefined
  beforeAll(async () => {
    [tp, browser] = await Promise.all([startTestPlatform('pglite'), launchBrowser()])
  }, 90_000)
  afterAll(async () => {
    await browser?.close()
    await tp?.dispose()
  })
  return {
    get tp () { return tp! },
    get browser () { return browser! },
    get base () { return tp!.platform.addresses.api },
  }
}
