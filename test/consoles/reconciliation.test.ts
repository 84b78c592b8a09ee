// The monthly reconciliation and the vacancy check, as people do them in the
// consoles: the landlord goes through this month's list of their buildings
// (one item confirmed, one corrected with a note) and signs it off; the grid
// worker, on a phone, confirms a room that has stood empty for three months,
// which leaves the rental register. Lists and proposals come from the daily
// passes, run here on the platform's registry.

import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PermitWatch } from '../../platform/policy/permit-watch.ts'
import { Reconciliations } from '../../platform/policy/reconciliation.ts'
import { VacancyProposals } from '../../platform/policy/vacancy.ts'
import { expectClean, expectNoSideScroll, launchBrowser, openConsole, signIn } from '../support/browser.ts'
import { residentIdNumber } from '../support/id-numbers.ts'
import { callApi, startTestPlatform, type TestPlatform } from '../support/platform.ts'

const SHOTS = '/tmp/ui-permits-shots'
const DAY = 86_400_000

describe('monthly reconciliation and vacancy in the consoles', () => {
  let tp: TestPlatform
  let browser: Browser
  let base: string
  beforeAll(async () => {
    [tp, browser] = await Promise.all([startTestPlatform('pglite'), launchBrowser()])
    base = tp.platform.addresses.api
    // A room on the register for 100 days that nobody ever lived in.
    expect((await callApi(tp, 'admin', 'POST', '/buildings/demo-b1/rooms', { id: 'demo-b1-301', number: '301', capacity: 2 })).status).toBe(201)
    await tp.platform.db.query(`update rooms set created_at = $1 where id = 'demo-b1-301'`, [new Date(Date.now() - 100 * DAY)])
    // A temporary permit ending in 5 days: the watch sends its 7-day reminder.
    const end = new Date(Date.now() + 5 * DAY + 8 * 3_600_000).toISOString().slice(0, 10)
    expect((await callApi(tp, 'landlord-li', 'POST', '/rooms/demo-b1-102/registrations', {
      resident: { name: 'Qian Duo', idType: 'resident_id', idNumber: residentIdNumber(9301) }, permitType: 'temporary', permitValidUntil: end,
    })).status).toBe(201)
    await new PermitWatch(tp.platform.registry.ctx).run()
    await new VacancyProposals(tp.platform.registry.ctx).proposeAll()
    await new Reconciliations(tp.platform.registry.ctx).listAll()
  }, 90_000)
  afterAll(async () => {
    await browser?.close()
    await tp?.dispose()
  })

  it('the landlord confirms one item, corrects another with a note, and signs the month\'s list off', async () => {
    const c = await openConsole(browser, base)
    const { page } = c
    await signIn(c, 'landlord-li')
    await page.getByRole('link', { name: '月度核对' }).click()
    await page.getByRole('heading', { name: '月度核对', level: 1 }).waitFor()
    const r201 = page.getByRole('listitem', { name: '空置房间 Lianhua Lane 8 201 房' })
    const r301 = page.getByRole('listitem', { name: '空置房间 Lianhua Lane 8 301 房' })
    await r301.waitFor()
    const signOff = page.getByRole('button', { name: '签核本月清单' })
    expect(await signOff.isDisabled()).toBe(true)
    await expect(page.getByText('还有 2 条未核对').count()).resolves.toBe(1)
    await page.screenshot({ path: `${SHOTS}/landlord-reconciliation.png`, fullPage: true })

    await r201.getByRole('button', { name: '确认无误' }).click()
    await r201.getByText('已确认').waitFor()
    await r301.getByRole('button', { name: '已更正' }).click()
    await r301.getByRole('textbox', { name: '更正说明' }).fill('301 房下周出租，已告知网格员')
    await r301.getByRole('button', { name: '保存更正' }).click()
    await r301.getByText('已更正：301 房下周出租，已告知网格员').waitFor()
    await signOff.click()
    await page.getByRole('status').filter({ hasText: '清单已签核。' }).waitFor()
    await page.getByText(/已于 .* 签核/).first().waitFor()
    await page.screenshot({ path: `${SHOTS}/landlord-reconciliation-signed.png`, fullPage: true })

    const lists = await callApi(tp, 'landlord-li', 'GET', '/reconciliations')
    expect(lists.body).toHaveLength(1)
    expect(lists.body[0]).toMatchObject({ items: 2, decided: 2, signedOffBy: tp.userIds['landlord-li'] })

    // The inbox shows the permit's type and the reminder sent; the register form asks for the type.
    await page.getByRole('link', { name: '待处理' }).click()
    const permit = page.locator('li[data-registration]').filter({ hasText: '居住证即将到期' })
    await permit.getByText(/已提醒：到期前 7 天/).waitFor()
    expect(await permit.textContent()).toContain('临时居住证')
    await page.screenshot({ path: `${SHOTS}/landlord-inbox-reminders.png`, fullPage: true })
    await page.goto(`${base}/#/landlord/rooms/demo-b1-201/register`)
    await page.getByRole('combobox', { name: /居住证类型/ }).selectOption('temporary')
    await page.getByText('最长 6 个月').waitFor()
    await page.screenshot({ path: `${SHOTS}/landlord-register-permit.png`, fullPage: true })
    await expectClean(c)
    await c.context.close()
  })

  it('the grid worker on a phone confirms the empty room, and sees the grid\'s list', async () => {
    const c = await openConsole(browser, base, { phone: true })
    const { page } = c
    await signIn(c, 'grid-chen')
    await page.getByRole('link', { name: '空置核实' }).click()
    await page.getByRole('heading', { name: '空置核实' }).waitFor()
    const card = page.getByRole('article', { name: 'Lianhua Lane 8 301 房' })
    await card.waitFor()
    expect(await card.textContent()).toContain('从未有人刷卡')
    await page.screenshot({ path: `${SHOTS}/grid-vacancy.png`, fullPage: true })
    await expectNoSideScroll(page)

    await card.getByRole('button', { name: '确认空置' }).click()
    await card.getByRole('textbox', { name: '核实情况（可选）' }).fill('现场查看，无人居住')
    await card.getByRole('button', { name: '确认空置' }).click()
    await page.getByRole('status').filter({ hasText: '已确认：Lianhua Lane 8 301 房 已移出出租登记。' }).waitFor()
    await page.getByText('目前没有待核实的空置。').waitFor()
    const confirmed = await callApi(tp, 'grid-chen', 'GET', '/vacancy-proposals?status=confirmed')
    expect(confirmed.body.map((p: { roomId: string; note: string }) => [p.roomId, p.note])).toEqual([['demo-b1-301', '现场查看，无人居住']])

    await page.getByRole('link', { name: '月度核对' }).click()
    await page.getByRole('heading', { name: '月度核对', level: 1 }).waitFor()
    await page.getByRole('article', { name: /网格：Lianhua grid 1/ }).waitFor()
    await page.screenshot({ path: `${SHOTS}/grid-reconciliation.png`, fullPage: true })
    await expectNoSideScroll(page)
    await expectClean(c)
    await c.context.close()
  })
})
