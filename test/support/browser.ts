// The consoles tested as people use them: the system's Chromium driven by
// playwright-core (no browser download), against a real platform. Chromium is
// a Debian package (.ci/run installs it); where it is missing the test fails
// and says how to install it, it is never skipped.

import { existsSync } from 'node:fs'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { expect } from 'vitest'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const DEMO_PASSWORD = 'demo-password'

export async function launchBrowser (): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`)
  }
  return await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
}

export interface ConsolePage {
  page: Page
  context: BrowserContext
  /** Errors the page threw or logged, other than the 401 of the session probe before sign-in. */
  errors: string[]
}

/** A new browser context (its own cookies) on the consoles, in `lang`, on a desktop or a phone-sized screen. */
export async function openConsole (browser: Browser, base: string, o: { lang?: 'zh-CN' | 'en'; phone?: boolean } = {}): Promise<ConsolePage> {
  const context = await browser.newContext({
    viewport: o.phone === true ? { width: 390, height: 844 } : { width: 1280, height: 860 },
    ...(o.phone === true ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
    locale: o.lang ?? 'zh-CN',
    timezoneId: 'Europe/Berlin', // not the buildings' zone: times shown must not depend on the viewer's clock
  })
  // The page's own storage, as the language switch leaves it.
  if (o.lang === 'en') await context.addInitScript('localStorage.setItem("rh.lang", "en")')
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`))
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().includes('401')) errors.push(`console: ${m.text()}`)
  })
  await page.goto(`${base}/`)
  return { page, context, errors }
}

/** Signs in through the login form and waits for the role's home page. */
export async function signIn (c: ConsolePage, username: string, password = DEMO_PASSWORD): Promise<void> {
  const { page } = c
  await page.locator('input[name=username]').fill(username)
  await page.locator('input[name=password]').fill(password)
  await page.locator('form button[type=submit]').click()
  await page.locator('header.top').waitFor()
}

/** No page error, no console error, no text the catalogues lack. */
export async function expectClean (c: ConsolePage): Promise<void> {
  const missing = await c.page.evaluate(() => [...((globalThis as { rhMissingTexts?: Set<string> }).rhMissingTexts ?? [])])
  expect(missing, 'texts missing from a catalogue').toEqual([])
  expect(c.errors).toEqual([])
}

/** Nothing wider than a phone's screen (390 px): no sideways scrolling. */
export async function expectNoSideScroll (page: Page): Promise<void> {
  const width = await page.evaluate('document.documentElement.scrollWidth') as number
  expect(width).toBeLessThanOrEqual(390)
}
