// House grades in the consoles, in real Chromium against a real platform: a
// police officer asks for a grade proposal from a house's score, finds it in
// the review queue, confirms it with a note and the building's grade changes
// (the houses filed by grade show it there); a rejection needs its reason; the
// landlord sees their house's score with the reasons and what to put right;
// an administrator sets an area's thresholds and the score follows them.

import { beforeAll, describe, expect, it } from 'vitest'
import { expectClean, openConsole, signIn } from '../support/browser.ts'
import { consoleSuite } from '../support/console-suite.ts'
import { callApi } from '../support/platform.ts'

const SHOTS = '/tmp/ui-house-grades'

describe('house grades in the consoles', () => {
  const suite = consoleSuite()
  const api = (who: string, method: string, url: string, body?: unknown) => callApi(suite.tp, who, method, url, body)

  beforeAll(async () => {
    // Unsigned agreement: at least 10 points, so a house graded 放心 has a grade to revise.
    expect((await api('landlord-li', 'PATCH', '/buildings/demo-b1', { responsibilitySignedAt: null })).status).toBe(200)
    expect((await api('police-zumiao', 'PATCH', '/buildings/demo-b1', { grade: 'trusted' })).status).toBe(200)
  }, 90_000)

  it('a police officer asks for a proposal, confirms it from the queue with a note, and the building\'s grade changes', async () => {
    const proposed = (await api('police-zumiao', 'GET', '/buildings/demo-b1/score')).body.proposedGrade as string
    expect(proposed).not.toBe('trusted')
    const c = await openConsole(suite.browser, suite.base)
    const { page } = c
    await signIn(c, 'police-zumiao')

    // Houses by grade: demo-b1 is filed under 放心 for now.
    await page.getByRole('link', { name: '分级房屋' }).click()
    await page.getByRole('link', { name: /^放心（\d+）$/ }).click()
    const row = page.locator('tr[data-building=demo-b1]')
    await row.waitFor()
    await row.getByRole('link', { name: '房屋积分' }).click()
    await page.getByRole('heading', { name: 'Lianhua Lane 8 · 房屋积分' }).waitFor()
    await expect(page.locator('tr[data-cause=agreement_unsigned]').textContent()).resolves.toContain('未签治安责任书')
    await page.screenshot({ path: `${SHOTS}/police-score.png`, fullPage: true })

    await page.getByRole('button', { name: '现在生成等级建议' }).click()
    await page.getByRole('heading', { name: '等级建议：Lianhua Lane 8' }).waitFor()
    await expect(page.getByTestId('proposal-status').textContent()).resolves.toBe('待审核')

    // The queue lists it; its page has the reasons.
    await page.getByRole('link', { name: '等级审核' }).click()
    const queued = page.locator('table.proposals tbody tr')
    await queued.first().waitFor()
    expect(await queued.count()).toBe(1)
    expect(await queued.first().textContent()).toContain('Lianhua Lane 8')
    await page.screenshot({ path: `${SHOTS}/police-queue.png`, fullPage: true })
    await queued.first().getByRole('link', { name: '审核' }).click()
    await page.locator('table.score-points tr[data-cause=agreement_unsigned]').waitFor()
    await page.screenshot({ path: `${SHOTS}/police-proposal.png`, fullPage: true })

    // Rejecting needs a reason: the button waits for one.
    await expect(page.getByRole('button', { name: '驳回' }).isDisabled()).resolves.toBe(true)
    await page.locator('textarea[name=confirmNote]').fill('巡查核实')
    await page.getByRole('button', { name: '确认调整' }).click()
    await page.getByRole('status').filter({ hasText: '已确认' }).waitFor()
    await page.getByTestId('proposal-status').filter({ hasText: '已确认' }).waitFor()

    const building = await api('police-zumiao', 'GET', '/buildings/demo-b1')
    expect(building.body.grade).toBe(proposed)
    const [decided] = (await api('police-zumiao', 'GET', '/grade-proposals?buildingId=demo-b1&status=confirmed')).body as Array<{ note: string; decidedBy: string }>
    expect(decided).toMatchObject({ note: '巡查核实', decidedBy: suite.tp.userIds['police-zumiao'] })

    // Filed under its new grade now.
    await page.getByRole('link', { name: '分级房屋' }).click()
    const gradeName = { normal: '一般', focus: '重点', strict: '严控' }[proposed]!
    await page.getByRole('link', { name: new RegExp(`^${gradeName}（\\d+）$`) }).click()
    await page.locator('tr[data-building=demo-b1]').waitFor()
    await page.screenshot({ path: `${SHOTS}/police-houses.png`, fullPage: true })
    await expectClean(c)
    await c.context.close()
  })

  it('a rejection is refused without a reason and recorded with one; the grade stays', async () => {
    expect((await api('police-zumiao', 'PATCH', '/buildings/demo-b1', { grade: 'trusted' })).status).toBe(200)
    const made = await api('police-zumiao', 'POST', '/buildings/demo-b1/grade-proposals')
    expect(made.status).toBe(201)
    const c = await openConsole(suite.browser, suite.base, { lang: 'en' })
    const { page } = c
    await signIn(c, 'police-zumiao')
    await page.goto(`${suite.base}/#/dispatch/grade-proposals/${made.body.id as string}`)
    await page.getByRole('heading', { name: 'Grade proposal: Lianhua Lane 8' }).waitFor()
    await page.locator('textarea[name=rejectNote]').fill('   ')
    await expect(page.getByRole('button', { name: 'Reject' }).isDisabled()).resolves.toBe(true)
    await page.locator('textarea[name=rejectNote]').fill('partitions were removed last week')
    await page.getByRole('button', { name: 'Reject' }).click()
    await page.getByRole('status').filter({ hasText: 'Rejected' }).waitFor()
    expect((await api('police-zumiao', 'GET', '/buildings/demo-b1')).body.grade).toBe('trusted')
    expect((await api('police-zumiao', 'GET', `/grade-proposals/${made.body.id as string}`)).body).toMatchObject({ status: 'rejected', note: 'partitions were removed last week' })
    await expectClean(c)
    await c.context.close()
  })

  it('the landlord sees their house\'s score with the reasons and what to put right, in both languages', async () => {
    const c = await openConsole(suite.browser, suite.base)
    const { page } = c
    await signIn(c, 'landlord-li')
    await page.getByRole('link', { name: 'Lianhua Lane 8' }).first().click()
    await page.getByRole('link', { name: '房屋积分' }).click()
    await page.getByRole('heading', { name: 'Lianhua Lane 8 · 房屋积分' }).waitFor()
    const score = (await api('landlord-li', 'GET', '/buildings/demo-b1/score')).body as { score: number; points: Array<{ cause: string }> }
    await expect(page.locator('.score-total').textContent()).resolves.toBe(String(score.score))
    const unsigned = page.locator('tr[data-cause=agreement_unsigned]')
    const text = await unsigned.textContent()
    expect(text).toContain('房东履责')
    expect(text).toContain('未签治安责任书')
    expect(text).toContain('10')
    expect(text).toContain('纠正前一直计分')
    expect(text).toContain('与辖区签订治安责任书。')
    expect(await page.locator('table.score-points tbody tr').count()).toBe(score.points.length)
    // The landlord may not propose; nothing offers it.
    expect(await page.getByRole('button', { name: '现在生成等级建议' }).count()).toBe(0)
    await page.screenshot({ path: `${SHOTS}/landlord-score.png`, fullPage: true })

    await page.locator('header.top button', { hasText: 'English' }).click()
    await page.getByRole('heading', { name: 'Lianhua Lane 8 · house score' }).waitFor()
    expect(await unsigned.textContent()).toContain('Sign the security responsibility agreement with the area.')
    await expectClean(c)
    await c.context.close()
    // Another landlord's house score is not theirs to see.
    expect((await api('landlord-wang', 'GET', '/buildings/demo-b1/score')).status).toBe(404)
  })

  it('an administrator sets a street\'s thresholds on the settings page, and the house\'s score follows them', async () => {
    const c = await openConsole(suite.browser, suite.base)
    const { page } = c
    await signIn(c, 'admin')
    await page.getByRole('link', { name: '分级设置' }).click()
    await page.locator('select[name=area]').selectOption('zumiao')
    await expect(page.getByTestId('settings-source').textContent()).resolves.toContain('平台默认设置')
    await page.locator('input[name=threshold-normal]').fill('1')
    await page.locator('input[name=threshold-focus]').fill('2')
    await page.locator('input[name=threshold-strict]').fill('3')
    await page.locator('input[name=patrol-strict]').fill('2')
    await page.getByRole('button', { name: '保存设置' }).click()
    await page.getByRole('status').filter({ hasText: '已保存' }).waitFor()
    await page.getByTestId('settings-source').filter({ hasText: '本区域自己的设置' }).waitFor()
    await page.screenshot({ path: `${SHOTS}/admin-settings.png`, fullPage: true })
    const score = await api('landlord-li', 'GET', '/buildings/demo-b1/score')
    expect(score.body).toMatchObject({ thresholds: { normal: 1, focus: 2, strict: 3 }, proposedGrade: 'strict' })

    // Thresholds that do not increase are refused, in words, and nothing changes.
    await page.locator('input[name=threshold-strict]').fill('2')
    await page.getByRole('button', { name: '保存设置' }).click()
    // In Chinese words by the error's code; the platform's English only as the line under it.
    const refusal = page.getByRole('alert')
    await refusal.waitFor()
    await expect(refusal.locator('small.error-detail').textContent()).resolves.toContain('thresholds.strict')
    const sentence = await refusal.evaluate((el) => el.firstChild?.textContent ?? '')
    expect(sentence).toBe('填写的内容有误，请检查后再试。')
    expect((await api('admin', 'GET', '/areas/zumiao/policy-settings')).body.settings.thresholds.strict).toBe(3)
    // The refusal the page showed is the one error it logged.
    expect(c.errors).toEqual([expect.stringContaining('400 (Bad Request)')])
    c.errors.length = 0

    // Lianhua below the street takes them; its page says so.
    await page.locator('select[name=area]').selectOption('lianhua')
    await page.getByTestId('settings-source').filter({ hasText: '沿用 Zumiao Street 的设置' }).waitFor()
    await expectClean(c)
    await c.context.close()
  })

  it('a refused webhook address is said in Chinese, the platform\'s English apart; in English both are English', async () => {
    for (const lang of ['zh-CN', 'en'] as const) {
      const c = await openConsole(suite.browser, suite.base, { lang })
      const { page } = c
      await signIn(c, 'admin')
      await page.goto(`${suite.base}/#/admin/webhooks`)
      await page.locator('input[name=url]').fill('http://example.com/hook')
      await page.locator('select[name=areaId]').selectOption('zumiao')
      await page.locator('form[aria-labelledby=new-webhook-title] button[type=submit]').click()
      const refusal = page.getByRole('alert')
      await refusal.waitFor()
      const sentence = await refusal.evaluate((el) => el.firstChild?.textContent ?? '')
      expect(sentence).toBe(lang === 'zh-CN' ? '平台拒绝了这个地址：须为公网 https 地址。' : 'The platform refused this address: it must be https on the public internet.')
      await expect(refusal.locator('small.error-detail').textContent()).resolves.toContain('the URL must be https')
      expect(c.errors).toEqual([expect.stringContaining('400 (Bad Request)')])
      c.errors.length = 0
      await expectClean(c)
      await c.context.close()
    }
  })
})
