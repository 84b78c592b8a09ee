// npm run bench:console — how long from a swipe at a door to the alert on a
// dispatcher's screen: a real platform (embedded store, or --database
// postgres), a police officer signed in to the dispatch console in headless
// Chromium, a reader publishing one unknown card at a time over MQTT. The page
// itself notes when each new row appears (a MutationObserver, the same clock
// as the publisher's), so the figure is the whole path: broker, event log,
// pipeline, alert, live stream, render. Prints each latency, then p50, p95
// and the largest, and one JSON line.

import { sampleUplinks } from '../../protocol/index.ts'
import { launchBrowser, openConsole, signIn } from '../support/browser.ts'
import { connectReader } from '../support/mqtt-device.ts'
import { provisionReader, startTestPlatform } from '../support/platform.ts'
import { until } from '../support/wait.ts'

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1]! : fallback
}
const SWIPES = Number(arg('swipes', '30'))
const DATABASE = arg('database', 'pglite') as 'pglite' | 'postgres'
const GAP_MS = Number(arg('gap-ms', '300'))

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!

async function main (): Promise<void> {
  if (!Number.isInteger(SWIPES) || SWIPES < 1 || SWIPES > 500) throw new Error('--swipes must be a whole number from 1 to 500')
  const [tp, browser] = await Promise.all([startTestPlatform(DATABASE), launchBrowser()])
  try {
    const c = await openConsole(browser, tp.platform.addresses.api, { lang: 'en' })
    await signIn(c, 'police-zumiao')
    await c.page.getByText('Live updates on').waitFor()
    // Every row added from now on, with the time it was added.
    await c.page.evaluate(`(() => {
      const seen = []
      globalThis.rhSeen = seen
      new MutationObserver((changes) => {
        const at = Date.now()
        for (const ch of changes) {
          for (const n of ch.addedNodes) {
            if (!(n instanceof HTMLElement)) continue
            const rows = n.matches('tr.sev') ? [n] : [...n.querySelectorAll('tr.sev')]
            for (const r of rows) if ((r.textContent ?? '').includes('Unregistered card')) seen.push({ at })
          }
        }
      }).observe(document.body, { childList: true, subtree: true })
    })()`)
    const details = await provisionReader(tp, 'landlord-li', 'demo-b1')
    const { client } = await connectReader(details)
    const topic = details.publish.find((t) => t.endsWith('/event/access'))!
    const latencies: number[] = []
    for (let i = 0; i < SWIPES; i++) {
      const value = `BE${(0x100000 + i).toString(16).toUpperCase()}`
      const swipe = { ...sampleUplinks()['event/access'], eventId: `bench-console-${i}`, seq: i + 1, ts: new Date().toISOString(), credential: { kind: 'card', value }, result: 'denied' }
      const before = await c.page.evaluate(() => (globalThis as unknown as { rhSeen: unknown[] }).rhSeen.length)
      const sent = Date.now()
      await client.publishAsync(topic, JSON.stringify(swipe), { qos: 1 })
      await until(`the alert of swipe ${i + 1} on the screen`, async () => await c.page.evaluate((n) => (globalThis as unknown as { rhSeen: unknown[] }).rhSeen.length > n, before), 10_000)
      const at = await c.page.evaluate((n) => (globalThis as unknown as { rhSeen: Array<{ at: number }> }).rhSeen[n]!.at, before)
      latencies.push(at - sent)
      console.log(`swipe ${i + 1}: ${at - sent} ms`)
      await new Promise((resolve) => setTimeout(resolve, GAP_MS))
    }
    await client.endAsync(true)
    const sorted = [...latencies].sort((a, b) => a - b)
    const result = { database: DATABASE, swipes: SWIPES, p50Ms: percentile(sorted, 0.5), p95Ms: percentile(sorted, 0.95), maxMs: sorted.at(-1)! }
    console.log(`swipe → dispatch screen, ${SWIPES} swipes on ${DATABASE}: p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms, max ${result.maxMs} ms`)
    console.log(JSON.stringify(result))
  } finally {
    await browser.close()
    await tp.dispose()
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err)
  process.exit(1)
})
