// The landlord's tenant tools in Chromium against a real platform: occupancy
// as the platform counts it, the inbox's one-click deregistration and renewal,
// a bulk import with a bad row, and the register's export with ID numbers
// masked; in Chinese, and the building page in English.

import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectClean, launchBrowser, openConsole, signIn, type ConsolePage } from '../support/browser.ts'
import { residentIdNumber } from '../support/id-numbers.ts'
import { callApi, startTestPlatform, type TestPlatform } from '../support/platform.ts'

const DAY = 86_400_000
const dateIn = (days: number): string => new Date(Date.now() + days * DAY).toISOString().slice(0, 10)
/** Where to keep screenshots for a person to look at (unset: none are taken). */
const SHOTS = process.env.SCREENSHOT_DIR

describe('the landlord\'s tenant tools in Chromium', () => {
  let tp: TestPlatform
  let browser: Browser
  let base: string
  const api = async (method: string, url: string, body?: unknown) => await callApi(tp, 'landlord-li', method, url, body)
  const shot = async (c: ConsolePage, name: string): Promise<void> => {
    if (SHOTS !== undefined) await c.page.screenshot({ path: join(SHOTS, `landlord-tenants-${name}.png`), fullPage: true })
  }
  const open = async (lang: 'zh-CN' | 'en' = 'zh-CN'): Promise<ConsolePage> => {
    const c = await openConsole(browser, base, { lang })
    await signIn(c, 'landlord-li')
    return c
  }

  beforeAll(async () => {
    [tp, browser] = await Promise.all([startTestPlatform('pglite'), launchBrowser()])
    base = tp.platform.addresses.api
  }, 90_000)
  afterAll(async () => {
    await browser?.close()
    await tp?.dispose()
  })

  it('shows the occupancy the platform counts: per room, the totals, on both pages and in English', async () => {
    const occupancy = (await api('GET', '/buildings/demo-b1/occupancy')).body
    expect(occupancy.presenceKnown).toBe(true)
    const c = await open()
    const { page } = c
    await page.getByRole('heading', { name: '我的楼栋' }).waitFor()
    const row = page.locator('tr[data-building="demo-b1"] td')
    await row.first().waitFor()
    const cells = await row.allTextContents()
    expect(cells[3]).toBe(String(occupancy.totals.rooms))
    expect(cells[4]).toBe(`${occupancy.totals.registered} / ${occupancy.totals.capacity}`)
    expect(cells[5]).toBe(String(occupancy.totals.observedInside))
    expect(cells[6]).toContain(`${occupancy.totals.vacantRooms} 间空置`)
    await shot(c, 'buildings')

    await page.getByRole('link', { name: 'Lianhua Lane 8' }).click()
    await page.getByRole('heading', { name: '房间' }).waitFor()
    for (const r of occupancy.rooms) {
      const shown = await page.locator(`tr[data-room="${r.number}"] > *`).allTextContents()
      expect(shown.slice(0, 4), `room ${r.number}`).toEqual([r.number, String(r.capacity), String(r.registered), String(r.observedInside)])
      expect(shown[4]!.includes('空置'), `room ${r.number} vacant`).toBe(r.vacant)
      expect(shown[4]!.includes('登记超员'), `room ${r.number} over`).toBe(r.overCapacity.registered)
    }
    const totals = await page.locator('table.occupancy tfoot tr > *').allTextContents()
    expect(totals.slice(1, 4)).toEqual([String(occupancy.totals.capacity), String(occupancy.totals.registered), String(occupancy.totals.observedInside)])
    await shot(c, 'building')
    await expectClean(c)
    await c.context.close()

    const en = await open('en')
    await en.page.goto(`${base}/#/landlord/buildings/demo-b1`)
    await en.page.getByRole('heading', { name: 'Rooms' }).waitFor()
    await en.page.getByRole('columnheader', { name: 'Inside now' }).waitFor()
    await en.page.getByText(`Total (${occupancy.totals.rooms} rooms)`).waitFor()
    await en.page.getByRole('link', { name: 'Export register (CSV)' }).waitFor()
    await shot(en, 'building-en')
    await en.page.getByRole('link', { name: 'Import tenants' }).click()
    await en.page.getByRole('heading', { name: 'Step 1: download the template and fill it in' }).waitFor()
    await shot(en, 'import-en')
    await en.page.getByRole('link', { name: 'Inbox' }).first().click()
    await en.page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor()
    await en.page.locator('.inbox p.muted').first().waitFor()
    await shot(en, 'inbox-en')
    await expectClean(en)
    await en.context.close()
  })

  it('lists a tenant not seen for long in the inbox and deregisters them in one click; renews an ending permit', async () => {
    const reg = async (n: number, name: string, extra: object): Promise<string> => {
      const r = await api('POST', '/rooms/demo-b1-201/registrations', { resident: { name, idType: 'resident_id', idNumber: residentIdNumber(n) }, ...extra })
      expect(r.status).toBe(201)
      return r.body.registration.id as string
    }
    // Arrived 45 days ago and never at a door since: past RULE_NOT_SEEN_DAYS (30), the inbox proposes deregistration.
    const gone = await reg(8101, 'Qian Duo', { arrivedAt: new Date(Date.now() - 45 * DAY).toISOString() })
    const ending = await reg(8102, '周八', { permitValidUntil: dateIn(10) })

    const c = await open()
    const { page } = c
    await page.getByRole('link', { name: '待处理' }).click()
    await page.getByRole('heading', { name: '待处理' }).waitFor()
    const goneItem = page.locator(`li[data-registration="${gone}"]`)
    await goneItem.waitFor()
    expect(await goneItem.textContent()).toContain('长期未见')
    expect(await goneItem.textContent()).toContain('Q*** D**')
    expect(await goneItem.textContent()).toMatch(/入住 4[456] 天以来从未在门禁出现/)
    expect(await page.content()).not.toContain('Qian Duo')
    await shot(c, 'inbox')

    // One click opens the confirmation, reason and date filled in; the second confirms.
    await goneItem.getByRole('button', { name: '注销登记' }).click()
    await expect(goneItem.locator('select[name=reason]').inputValue()).resolves.toBe('moved_out')
    expect(await goneItem.locator('input[name=departedOn]').inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    await shot(c, 'inbox-confirm')
    await goneItem.getByRole('button', { name: '确认注销' }).click()
    await page.getByRole('status').filter({ hasText: '已注销 Q*** D** 的登记' }).waitFor()
    await goneItem.waitFor({ state: 'detached' })
    const after = await api('GET', '/rooms/demo-b1-201/registrations')
    expect(after.body.find((r: { id: string }) => r.id === gone)).toMatchObject({ status: 'departed', departureReason: 'moved_out' })

    const endingItem = page.locator(`li[data-registration="${ending}"]`)
    expect(await endingItem.textContent()).toContain('居住证即将到期')
    await endingItem.getByRole('button', { name: '续期' }).click()
    const proposed = await endingItem.locator('input[name=permitValidUntil]').inputValue()
    expect(proposed > dateIn(300)).toBe(true)
    await endingItem.getByRole('button', { name: '确认续期' }).click()
    await endingItem.waitFor({ state: 'detached' })
    const renewed = (await api('GET', '/rooms/demo-b1-201/registrations')).body.find((r: { id: string }) => r.id === ending)
    expect(renewed.permitValidUntil).toBe(proposed)
    await expectClean(c)
    await c.context.close()
  })

  it('imports a CSV: the bad row\'s error in words, the good row registered and then in its room', async () => {
    const good = residentIdNumber(8201)
    const bad = residentIdNumber(8202).slice(0, 17) + (residentIdNumber(8202).endsWith('1') ? '2' : '1')
    const csv = `房间号,姓名,证件号码,居住证有效期\n102,导入住户,${good},${dateIn(200)}\n102,错误住户,${bad},\n`

    const c = await open()
    const { page } = c
    await page.goto(`${base}/#/landlord/buildings/demo-b1`)
    await page.getByRole('link', { name: '批量导入住户' }).click()
    await page.getByRole('heading', { name: '批量导入住户' }).waitFor()
    await shot(c, 'import')
    // The template links download with the cookie session.
    const [template] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '下载 CSV 模板' }).click()])
    expect(await readFile(await template.path(), 'utf8')).toContain('证件号码')

    await page.getByRole('button', { name: '上传并检查' }).click()
    await page.getByRole('alert').filter({ hasText: '请先选择一个文件' }).waitFor()
    // A file the platform cannot read at all (no ID number column) is refused in words; nothing changes.
    await page.locator('input[name=file]').setInputFiles({ name: 'wrong.csv', mimeType: 'text/csv', buffer: Buffer.from('房间号,姓名\n102,某人\n', 'utf8') })
    await page.getByRole('button', { name: '上传并检查' }).click()
    await page.getByRole('alert').filter({ hasText: '无法读取这个文件，没有登记任何人' }).waitFor()
    expect(await page.getByRole('alert').textContent()).toContain('the header row lacks the column(s) 证件号码/idNumber')
    await shot(c, 'import-unreadable')
    // The browser logs the refused upload; that one is expected, anything else is not.
    expect(c.errors).toEqual(['console: Failed to load resource: the server responded with a status of 400 (Bad Request)'])
    c.errors.length = 0
    await page.locator('input[name=file]').setInputFiles({ name: 'tenants.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') })
    await page.getByRole('button', { name: '上传并检查' }).click()
    await page.getByRole('heading', { name: '检查结果' }).waitFor()
    await page.getByText('1 行可以登记，1 行有错误。').waitFor()
    const badRow = await page.locator('tr[data-row="3"]').textContent()
    expect(badRow).toContain('证件号码：证件号码不正确（格式或校验位）')
    const goodRow = await page.locator('tr[data-row="2"]').textContent()
    expect(goodRow).toContain('导入住户')
    expect(goodRow).toContain('可以登记')
    expect(goodRow).not.toContain(good)
    await shot(c, 'import-preview')

    await page.getByRole('button', { name: '登记 1 行有效记录' }).click()
    await page.getByRole('heading', { name: '导入完成' }).waitFor()
    await page.getByText('已登记 1 人，待迁出确认 0 人，失败 0 行，因错误跳过 1 行。').waitFor()
    await shot(c, 'import-result')
    const regs = (await api('GET', '/rooms/demo-b1-102/registrations')).body as Array<{ resident: { name: string }; status: string; permitValidUntil: string }>
    expect(regs.find((r) => r.resident.name === '导入住户')).toMatchObject({ status: 'active', permitValidUntil: dateIn(200) })
    expect(regs.find((r) => r.resident.name === '错误住户')).toBeUndefined()

    // The tenant is in the room's page.
    await page.getByRole('link', { name: '查看楼栋' }).click()
    await page.getByRole('link', { name: '102', exact: true }).click()
    await page.getByText('导入住户').first().waitFor()
    await expectClean(c)
    await c.context.close()
  })

  it('exports the register as a CSV through a plain link, the tenant\'s ID number masked', async () => {
    const idNumber = residentIdNumber(8301)
    const r = await api('POST', '/rooms/demo-b1-101/registrations', { resident: { name: '导出住户', idType: 'resident_id', idNumber } })
    expect(r.status).toBe(201)
    const masked = r.body.registration.resident.idNumberMasked as string
    expect(masked).not.toBe(idNumber)

    const c = await open()
    const { page } = c
    await page.goto(`${base}/#/landlord/buildings/demo-b1`)
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '导出登记表（CSV）' }).click()])
    expect(download.suggestedFilename()).toBe('register-demo-b1.csv')
    const text = await readFile(await download.path(), 'utf8')
    const line = text.split(/\r?\n/).find((l) => l.includes('导出住户'))
    expect(line).toBeDefined()
    expect(line).toContain(masked)
    expect(text).not.toContain(idNumber)
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '导出登记表（Excel）' }).click()])
    expect(xlsx.suggestedFilename()).toBe('register-demo-b1.xlsx')
    expect((await readFile(await xlsx.path())).subarray(0, 2).toString()).toBe('PK')
    await expectClean(c)
    await c.context.close()
  })

  it('says that presence is not known while the pipeline is stopped, instead of showing zeros', async () => {
    await tp.platform.pipeline.stop()
    expect((await api('GET', '/buildings/demo-b1/occupancy')).body.presenceKnown).toBe(false)
    const c = await open()
    const { page } = c
    await page.getByRole('status').filter({ hasText: '分析服务未运行' }).waitFor()
    expect((await page.locator('tr[data-building="demo-b1"] td').allTextContents())[5]).toBe('未知')
    await page.goto(`${base}/#/landlord/buildings/demo-b1`)
    await page.getByRole('heading', { name: '房间' }).waitFor()
    await page.getByRole('status').filter({ hasText: '分析服务未运行' }).waitFor()
    const inside = await page.locator('table.occupancy tbody tr > :nth-child(4)').allTextContents()
    expect(inside.length).toBeGreaterThan(0)
    expect(new Set(inside)).toEqual(new Set(['未知']))
    await shot(c, 'building-presence-unknown')
    await expectClean(c)
    await c.context.close()
  })
})
