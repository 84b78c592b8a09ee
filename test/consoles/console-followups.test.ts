// What the consoles lacked after their first round, as people meet it in real
// Chromium against a real platform: the landlord's nav says how many items
// wait in the inbox and follows them; an administrator picks the area on the
// shift-handover page and writes its note; the handover's times are read in the
// area's zone (its buildings' zone), not the console's default.

import { describe, expect, it } from 'vitest'
import { expectClean, openConsole, signIn } from '../support/browser.ts'
import { consoleSuite } from '../support/console-suite.ts'
import { residentIdNumber } from '../support/id-numbers.ts'
import { callApi } from '../support/platform.ts'

const SHOTS = '/tmp/ui-console-followups'
const ZONE = 'Asia/Kathmandu' // UTC+5:45: no other zone's wall clock matches it

const dayIn = (days: number): string => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)

describe('console follow-ups', () => {
  const suite = consoleSuite()
  const api = (who: string, method: string, url: string, body?: unknown) => callApi(suite.tp, who, method, url, body)
  const waiting = async (): Promise<number> => {
    let n = 0
    for (const b of ['demo-b1']) n += ((await api('landlord-li', 'GET', `/buildings/${b}/inbox`)).body.items as unknown[]).length
    return n
  }

  it('the landlord\'s inbox link counts what waits there, and follows it', async () => {
    expect((await api('landlord-li', 'GET', '/buildings')).body.map((b: { id: string }) => b.id)).toEqual(['demo-b1'])
    const r = await api('landlord-li', 'POST', '/rooms/demo-b1-201/registrations', {
      resident: { name: '周十', idType: 'resident_id', idNumber: residentIdNumber(9101) }, permitValidUntil: dayIn(10),
    })
    expect(r.status).toBe(201)
    const before = await waiting()
    expect(before).toBeGreaterThan(0)

    const c = await openConsole(suite.browser, suite.base)
    const { page } = c
    await signIn(c, 'landlord-li')
    const link = page.locator('nav.side a', { hasText: '待处理' })
    await expect(link.locator('.count').textContent()).resolves.toBe(String(before))
    expect(await link.locator('.count').getAttribute('aria-label')).toBe(`${before} 项待处理`)
    await page.screenshot({ path: `${SHOTS}/landlord-nav-count.png` })

    // One more waits: the count follows at the next page.
    expect((await api('landlord-li', 'POST', '/rooms/demo-b1-201/registrations', {
      resident: { name: '吴十一', idType: 'resident_id', idNumber: residentIdNumber(9102) }, permitValidUntil: dayIn(5),
    })).status).toBe(201)
    await link.click()
    await page.getByRole('heading', { name: '待处理', exact: true }).waitFor()
    await link.locator('.count', { hasText: String(before + 1) }).waitFor()
    await expectClean(c)
    await c.context.close()
  })

  it('an administrator picks the area of the handover and writes its note; times are in the area\'s zone', async () => {
    for (const b of ['demo-b1', 'demo-b2']) expect((await api('admin', 'PATCH', `/buildings/${b}`, { timeZone: ZONE })).status).toBe(200)
    const c = await openConsole(suite.browser, suite.base)
    const { page } = c
    await signIn(c, 'admin')
    await page.locator('nav.side a', { hasText: '交接班' }).click()
    await page.locator('select[name=handoverArea]').selectOption('zumiao')
    await page.locator('textarea[name=handoverNote]').fill('祖庙街道白班交接：莲花巷8号门禁待修')
    await page.getByRole('button', { name: '提交交接说明' }).click()
    const note = page.locator('.handover-note')
    await note.locator('blockquote', { hasText: '莲花巷8号门禁待修' }).waitFor()

    const latest = (await api('police-zumiao', 'GET', '/handovers/latest')).body.handover as { createdAt: string; createdBy: string; areaId: string }
    expect(latest).toMatchObject({ createdBy: suite.tp.userIds.admin, areaId: 'zumiao' })
    const wall = (zone: string): string => new Intl.DateTimeFormat('zh-CN', {
      timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
    }).format(new Date(latest.createdAt))
    const text = await note.textContent()
    expect(text).toContain(wall(ZONE))
    expect(text).not.toContain(wall('Asia/Shanghai'))
    await page.screenshot({ path: `${SHOTS}/admin-handover.png`, fullPage: true })
    await expectClean(c)
    await c.context.close()
  })
})
