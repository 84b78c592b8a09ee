// The KPI page as people use it: police of Zumiao Street see the street's KPIs
// with their targets and numerator / denominator, drill down to a community,
// a grid and a house, open the cases behind a KPI (names masked) and find the
// export links; a landlord sees their own house; a grid worker's phone shows
// the page without side scrolling. Screenshots in /tmp/ui-kpis-shots.

import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectClean, launchBrowser, openConsole, signIn } from '../support/browser.ts'
import { startTestPlatform, type TestPlatform } from '../support/platform.ts'

const SHOTS = '/tmp/ui-kpis-shots'

const rowOf = (page: Page, name: string) => page.locator('table.kpi-table tbody tr', { has: page.getByRole('rowheader', { name, exact: true }) })

describe('the KPI page', () => {
  let tp: TestPlatform
  let browser: Browser
  let base: string
  beforeAll(async () => {
    [tp, browser] = await Promise.all([startTestPlatform('pglite'), launchBrowser()])
    base = tp.platform.addresses.api
    // Lane 12 has not signed its responsibility agreement: the street's agreement rate is below 100 %.
    await tp.platform.db.query(`update buildings set responsibility_signed_at = now() where id = 'demo-b1'`)
    await tp.platform.db.query(`update buildings set responsibility_signed_at = null where id = 'demo-b2'`)
  }, 90_000)
  afterAll(async () => {
    await browser?.close()
    await tp?.dispose()
  })

  it('police see their street\'s KPIs against the targets, drill down to a house and open the cases', async () => {
    const c = await openConsole(browser, base)
    const { page } = c
    await signIn(c, 'police-zumiao')
    await page.getByRole('link', { name: '指标考核' }).click()
    await page.getByRole('heading', { name: '指标考核：Zumiao Street' }).waitFor()
    const agreement = rowOf(page, '责任书签订率')
    await expect(agreement.textContent()).resolves.toContain('50.0%')
    await expect(agreement.textContent()).resolves.toContain('≥ 100.0%')
    await expect(agreement.textContent()).resolves.toContain('1 / 2')
    await expect(agreement.textContent()).resolves.toContain('未达标')
    expect(await agreement.getAttribute('class')).toBe('kpi-below')
    const rental = rowOf(page, '出租屋登记率')
    await expect(rental.textContent()).resolves.toContain('2 / 2')
    expect(await rental.getAttribute('class')).toBe('kpi-met')
    // Seven KPIs (the plans' six and the share reconciled), each with its target.
    expect(await page.locator('table.kpi-table tbody tr').count()).toBe(7)
    await expect(rowOf(page, '月度核对完成率').textContent()).resolves.toContain('≥ 100.0%')
    expect(await page.getByRole('link', { name: '导出 CSV' }).getAttribute('href')).toBe('/kpis.csv')
    await page.screenshot({ path: `${SHOTS}/police-street.png`, fullPage: true })

    // Down the area tree: the community, its grid, the house.
    await page.getByRole('link', { name: 'Lianhua Community' }).click()
    await page.getByRole('heading', { name: '指标考核：Lianhua Community' }).waitFor()
    await page.getByRole('link', { name: 'Lianhua grid 1' }).click()
    await page.getByRole('heading', { name: '指标考核：Lianhua grid 1' }).waitFor()
    await page.getByRole('link', { name: 'Lianhua Lane 8' }).click()
    await page.getByRole('heading', { name: '指标考核：Lianhua Lane 8' }).waitFor()
    expect(await page.getByRole('link', { name: '导出 Excel' }).getAttribute('href')).toBe('/kpis.xlsx?buildingId=demo-b1')

    // The cases behind person-household consistency: nobody has used a card yet, both not counted, names masked.
    await rowOf(page, '人户一致率').getByRole('link', { name: '查看明细' }).click()
    await page.getByRole('heading', { name: '明细：人户一致率' }).waitFor()
    const cases = page.locator('table.kpi-cases tbody tr')
    await cases.first().waitFor()
    expect(await cases.count()).toBe(2)
    const text = await page.locator('table.kpi-cases').textContent()
    expect(text).toContain('近期无本人凭证出入')
    expect(text).not.toContain('Zhang Wei')
    expect(text).not.toContain('Liu Yang')
    await page.screenshot({ path: `${SHOTS}/police-house-cases.png`, fullPage: true })

    // The export link downloads a CSV with the figures.
    const csv = await page.evaluate(async () => await (await fetch('/kpis.csv?buildingId=demo-b1')).text())
    expect(csv).toContain('人户一致率')
    await page.getByRole('link', { name: '返回上级范围' }).click()
    await page.getByRole('heading', { name: '指标考核：Zumiao Street' }).waitFor()
    await expectClean(c)
    await c.context.close()
  })

  it('a landlord sees their own house, in English', async () => {
    const c = await openConsole(browser, base, { lang: 'en' })
    const { page } = c
    await signIn(c, 'landlord-wang')
    await page.getByRole('link', { name: 'KPIs' }).click()
    await page.getByRole('heading', { name: 'KPIs: My houses' }).waitFor()
    await expect(rowOf(page, 'Responsibility agreements').textContent()).resolves.toContain('0 / 1')
    expect(await page.locator('table.kpi-children tbody tr').count()).toBe(1)
    await expect(page.locator('table.kpi-children').textContent()).resolves.toContain('Lianhua Lane 12')
    await page.screenshot({ path: `${SHOTS}/landlord-en.png`, fullPage: true })
    await expectClean(c)
    await c.context.close()
  })

  it('a grid worker\'s phone shows the page without side scrolling', async () => {
    const c = await openConsole(browser, base, { phone: true })
    const { page } = c
    await signIn(c, 'grid-chen')
    await page.goto(`${base}/#/grid/kpis`)
    await page.getByRole('heading', { name: '指标考核：Lianhua Community' }).waitFor()
    const width = await page.evaluate('document.documentElement.scrollWidth') as number
    expect(width).toBeLessThanOrEqual(390)
    await page.screenshot({ path: `${SHOTS}/grid-phone.png`, fullPage: true })
    await expectClean(c)
    await c.context.close()
  })
})
