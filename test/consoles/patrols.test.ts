// Door plates and patrols in the real consoles: a grid worker on a phone
// (390 x 844) opens a plate's code as its QR code would, records a patrol with
// a finding, and the landlord sees the finding with its deadline on their
// building's page (not the notes); the grid worker re-inspects and closes it;
// the plate sheet prints without the console's frame. Nothing is wider than
// the phone's screen.

import type { Browser, Page } from 'playwright-core'
import QRCode from 'qrcode'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { printedHouseCode } from '../../contract/house-codes.ts'
import { expectClean, expectNoSideScroll, launchBrowser, openConsole, signIn } from '../support/browser.ts'
import { callApi, startTestPlatform, type TestPlatform } from '../support/platform.ts'

const SHOTS = '/tmp/ui-patrols-shots'

/** The dark and light modules each QR image of the page shows (margin 1), read from its pixels in the browser. */
async function shownModules (page: Page, selector: string, n: number): Promise<boolean[][][]> {
  return await page.evaluate(`[...document.querySelectorAll(${JSON.stringify(selector)})].map((img) => {
    const canvas = document.createElement('canvas')
    canvas.width = img.naturalWidth
    canvas.height = img.naturalHeight
    const g = canvas.getContext('2d')
    g.drawImage(img, 0, 0)
    const scale = img.naturalWidth / (${n} + 2)
    return Array.from({ length: ${n} }, (_, row) => Array.from({ length: ${n} }, (_, col) =>
      g.getImageData(Math.floor((col + 1.5) * scale), Math.floor((row + 1.5) * scale), 1, 1).data[0] < 128))
  })`) as boolean[][][]
}

/** The modules of `text`'s QR code, as the consoles encode it. */
function modulesOf (text: string): boolean[][] {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' })
  return Array.from({ length: modules.size }, (_, row) => Array.from({ length: modules.size }, (_, col) => Boolean(modules.get(row, col))))
}

describe('door plates and patrols in the consoles', () => {
  let tp: TestPlatform
  let browser: Browser
  let base: string
  let plates: Array<{ code: string; roomId: string | null }>
  beforeAll(async () => {
    [tp, browser] = await Promise.all([startTestPlatform('pglite'), launchBrowser()])
    base = tp.platform.addresses.api
    plates = (await callApi(tp, 'admin', 'GET', '/buildings/demo-b1/plates')).body.plates
  }, 90_000)
  afterAll(async () => {
    await browser?.close()
    await tp?.dispose()
  })

  it('a grid worker on a phone opens a plate, records a patrol with a finding; the landlord sees the finding', async () => {
    const room101 = plates.find((p) => p.roomId === 'demo-b1-101')!.code
    const c = await openConsole(browser, base, { phone: true })
    const { page } = c
    // A plate scanned before signing in: the house record opens once signed in.
    await page.goto(`${base}/#/h/${room101}`)
    await signIn(c, 'grid-chen')
    await page.getByRole('heading', { name: 'Lianhua Lane 8' }).waitFor()
    expect(page.url()).toContain(`#/h/${room101}`)
    await page.locator('nav.side').getByRole('link', { name: '巡查', exact: true }).click()
    await page.getByRole('heading', { name: '待巡查房屋' }).waitFor()
    // Never patrolled: both houses of the grid are overdue.
    await expect(page.getByRole('article', { name: 'Lianhua Lane 8' }).textContent()).resolves.toContain('已逾期')
    await expectNoSideScroll(page)
    await page.screenshot({ path: `${SHOTS}/grid-patrols-due.png`, fullPage: true })

    // A code typed as printed on the plate, in lower case, opens the same record as the QR code's URL did.
    await page.getByLabel('扫描门牌二维码，或输入门牌码').fill(printedHouseCode(room101).toLowerCase())
    await page.getByRole('button', { name: '打开房屋档案' }).click()
    await page.waitForURL(`**/#/h/${room101}`)
    await page.getByRole('heading', { name: 'Lianhua Lane 8' }).waitFor()
    const facts = await page.locator('dl.grid-facts').textContent()
    expect(facts).toContain('101 房门牌')
    expect(facts).toContain('1 / 2 人')
    expect(facts).toContain('从未巡查')
    expect(await page.textContent('main')).not.toContain('Zhang Wei')
    await expectNoSideScroll(page)
    await page.screenshot({ path: `${SHOTS}/grid-house-record.png`, fullPage: true })

    await page.getByRole('link', { name: '记录巡查' }).click()
    await page.getByRole('heading', { name: /记录巡查：/ }).waitFor()
    const submit = page.getByRole('button', { name: '提交巡查' })
    expect(await submit.isDisabled()).toBe(true)
    for (const item of ['extinguisher', 'smoke_detector', 'escape_route', 'partitions', 'wiring', 'occupancy']) {
      await page.locator(`fieldset[data-item=${item}]`).getByText('正常').click()
    }
    await page.locator('fieldset[data-item=ebike_charging]').getByText('有问题').click()
    await page.getByLabel(/现场人数/).fill('3')
    await page.getByRole('button', { name: '添加问题' }).click()
    // The new finding starts on the item marked a problem, in the room of the plate, due in a week.
    expect(await page.locator('select[name=finding-item-0]').inputValue()).toBe('ebike_charging')
    expect(await page.locator('select[name=finding-room-0]').inputValue()).toBe('demo-b1-101')
    const deadline = await page.locator('input[name=finding-deadline-0]').inputValue()
    expect(deadline).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    await page.locator('textarea[name=finding-description-0]').fill('楼道内给电动车充电，请立即移走')
    await page.locator('textarea[name=photoRefs]').fill('oss://patrol/101-a.jpg')
    await page.locator('textarea[name=notes]').fill('住户说第三人是来探亲的表弟')
    await expectNoSideScroll(page)
    await page.screenshot({ path: `${SHOTS}/grid-patrol-form.png`, fullPage: true })
    await submit.click()

    await page.getByText('巡查已记录。').waitFor()
    const finding = page.locator('article.finding')
    await expect(finding.textContent()).resolves.toContain('楼道内给电动车充电')
    expect(await page.locator('dl.grid-facts').textContent()).toContain('在场 3 人（登记 1 人）')
    await expectNoSideScroll(page)
    await page.screenshot({ path: `${SHOTS}/grid-house-after-patrol.png`, fullPage: true })
    await expectClean(c)

    // The landlord, on their building's page: the finding and its deadline, never the patroller's notes.
    const l = await openConsole(browser, base)
    await signIn(l, 'landlord-li')
    await l.page.goto(`${base}/#/landlord/buildings/demo-b1`)
    const section = l.page.getByRole('region', { name: '巡查发现的问题' })
    await section.getByText('楼道内给电动车充电，请立即移走').waitFor()
    const text = await section.textContent()
    expect(text).toContain('电动车充电')
    expect(text).toContain('待整改')
    const [y, m, d] = deadline.split('-')
    expect(text).toContain(`整改期限：${y}/${m}/${d}`)
    expect(await l.page.textContent('main')).not.toContain('表弟')
    await l.page.screenshot({ path: `${SHOTS}/landlord-building-findings.png`, fullPage: true })
    await expectClean(l)

    // Back on the phone: the re-inspection finds it put right and closes it.
    await finding.getByRole('button', { name: '已整改，关闭' }).click()
    await page.getByText('复查已记录。').waitFor()
    await page.getByText('没有未完成的整改。').waitFor()
    await l.page.reload()
    await l.page.getByRole('region', { name: '巡查发现的问题' }).getByText('已整改').first().waitFor()
    await l.context.close()
    await c.context.close()
  })

  it('police see the houses of their area due and the house record behind a plate, in English too', async () => {
    const c = await openConsole(browser, base, { lang: 'en' })
    const { page } = c
    await signIn(c, 'police-zumiao')
    await page.getByRole('link', { name: 'Patrols' }).click()
    await page.getByRole('heading', { name: 'Houses due for a patrol' }).waitFor()
    const cards = page.locator('ul.grid-cards > li > article')
    await cards.first().waitFor()
    // Lianhua Lane 12 was never patrolled; Lane 8 was, and has no finding open any more.
    expect(await cards.evaluateAll((as) => as.map((a) => a.getAttribute('data-building')))).toEqual(['demo-b2', 'demo-b1'])
    await expect(cards.first().textContent()).resolves.toContain('Never patrolled')
    await page.screenshot({ path: `${SHOTS}/police-patrols-due-en.png`, fullPage: true })
    await page.goto(`${base}/#/h/${plates[0]!.code}`)
    await page.getByRole('heading', { name: 'Lianhua Lane 8' }).waitFor()
    const facts = await page.locator('dl.grid-facts').textContent()
    expect(facts).toContain('Building plate')
    expect(facts).toContain('3 found (1 registered)')
    await page.getByText('No open findings.').waitFor()
    await page.screenshot({ path: `${SHOTS}/police-house-record-en.png`, fullPage: true })
    await expectClean(c)
    await c.context.close()
  })

  it('the plate sheet: a QR code per plate holding only the console URL with the code, printed without the frame', async () => {
    const c = await openConsole(browser, base)
    const { page } = c
    await signIn(c, 'landlord-li')
    await page.goto(`${base}/#/landlord/buildings/demo-b1`)
    await page.getByRole('link', { name: '打印门牌' }).click()
    await page.getByRole('heading', { name: 'Lianhua Lane 8 门牌' }).waitFor()
    const shown = page.locator('li.plate')
    await shown.first().locator('img.qr').waitFor()
    expect(await shown.evaluateAll((ls) => ls.map((l) => l.getAttribute('data-code')))).toEqual(plates.map((p) => p.code))
    expect(await shown.first().textContent()).toContain('楼栋')
    expect(await page.locator('li.plate img.qr').count()).toBe(plates.length)
    // What each QR code shows: the modules of the console's URL with the plate's code, and of nothing else.
    const expected = plates.map((p) => modulesOf(`${base}/#/h/${p.code}`))
    const drawn = await shownModules(page, 'li.plate img.qr', expected[0]!.length)
    expect(drawn).toEqual(expected)
    expect(drawn[0]).not.toEqual(expected[1])
    expect(await page.locator('li.plate img.qr').first().getAttribute('alt')).toBe(`门牌二维码 ${printedHouseCode(plates[0]!.code)}`)
    await page.screenshot({ path: `${SHOTS}/plates-sheet.png`, fullPage: true })
    await page.emulateMedia({ media: 'print' })
    expect(await page.locator('header.top').isVisible()).toBe(false)
    expect(await page.locator('nav.side').isVisible()).toBe(false)
    expect(await page.getByRole('button', { name: '打印门牌' }).isVisible()).toBe(false)
    expect(await shown.first().isVisible()).toBe(true)
    await page.screenshot({ path: `${SHOTS}/plates-print.png`, fullPage: true })
    await expectClean(c)
    await c.context.close()
  })
})
