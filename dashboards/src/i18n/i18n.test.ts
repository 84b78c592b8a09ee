// Every text the consoles show exists in both languages: the type check makes
// a key missing from one catalogue an error; this test catches what types
// cannot (an empty text, a placeholder one language forgot, a vocabulary
// value with no words, a key used in a page but not defined).

import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import * as V from '../../../contract/vocabulary.ts'
import { CATALOGUES, hasText, setLanguage, t } from './index.ts'

/** The consoles' source files, catalogues and tests left out. */
function consoleSources (): string[] {
  const root = join(import.meta.dirname, '..')
  const files: string[] = []
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name)
      if (statSync(full).isDirectory()) {
        if (full !== import.meta.dirname) walk(full)
      } else if (/\.tsx?$/.test(name) && !name.endsWith('.test.ts')) files.push(full)
    }
  }
  walk(root)
  return files
}

const placeholders = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort()

describe('message catalogues', () => {
  for (const [area, c] of Object.entries(CATALOGUES)) {
    it(`${area}: the same keys in Chinese and English, none empty, same placeholders`, () => {
      const zh = c.zh as Record<string, string>
      const en = c.en as Record<string, string>
      expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort())
      for (const [key, text] of Object.entries(zh)) {
        expect(text.trim(), `zh-CN ${key}`).not.toBe('')
        expect(en[key]!.trim(), `en ${key}`).not.toBe('')
        expect(placeholders(en[key]!), `placeholders of ${key}`).toEqual(placeholders(text))
      }
    })
  }

  it('the Chinese texts are Chinese', () => {
    // A key copied into zh-CN untranslated would show English to a Chinese reader.
    const latinOnly = Object.entries({ ...CATALOGUES.common.zh, ...CATALOGUES.landlord.zh, ...CATALOGUES.dispatch.zh, ...CATALOGUES.grid.zh, ...CATALOGUES.admin.zh, ...CATALOGUES.landlordSite.zh, ...CATALOGUES.patrols.zh, ...CATALOGUES.policy.zh, ...CATALOGUES.kpis.zh } as Record<string, string>)
      .filter(([key, text]) => {
        const words = text.replace(/\{\w+\}/g, '')
        return /[A-Za-z]/.test(words) && !/[\u4e00-\u9fff]/.test(words) && key !== 'lang.switch'
      })
    expect(latinOnly).toEqual([])
  })

  it('every value of the contract\'s vocabularies has words', () => {
    const sets: Array<[string, readonly string[]]> = [
      ['role', V.ROLES], ['grade', V.GRADES], ['areaKind', V.AREA_KINDS], ['idType', V.ID_TYPES], ['sex', V.SEXES],
      ['registrationStatus', V.REGISTRATION_STATUSES], ['credentialKind', V.CREDENTIAL_KINDS], ['credentialStatus', V.CREDENTIAL_STATUSES],
      ['deviceKind', V.DEVICE_KINDS], ['allowlist', V.ALLOWLIST_STATUSES], ['commandStatus', V.COMMAND_STATUSES],
      ['alertType', V.ALERT_TYPES], ['severity', V.SEVERITIES], ['alertStatus', V.ALERT_STATUSES], ['alertAction', V.ALERT_ACTIONS],
      ['alertStage', V.ALERT_STAGES], ['closureReason', V.CLOSURE_REASONS], ['admin.webhooks.subscription', V.WEBHOOK_SUBSCRIPTIONS],
      ['patrols.item', V.FINDING_ITEMS], ['patrols.outcome', V.CHECK_OUTCOMES], ['patrols.findingStatus', V.FINDING_STATUSES],
      ['scoreDimension', V.SCORE_DIMENSIONS], ['scoreCause', V.SCORE_CAUSES], ['policy.remedy', V.SCORE_CAUSES],
      ['kpi.name', V.KPI_IDS],
    ]
    const missing = sets.flatMap(([prefix, values]) => values.map((v) => `${prefix}.${v}`)).filter((k) => !hasText(k))
    expect(missing).toEqual([])
  })

  it('every key a page names is defined', () => {
    const used = new Set<string>()
    for (const f of consoleSources()) for (const m of readFileSync(f, 'utf8').matchAll(/\bt\('([a-zA-Z][\w.]*)'/g)) used.add(m[1]!)
    expect(used.size).toBeGreaterThan(50)
    expect([...used].filter((k) => !hasText(k))).toEqual([])
  })

  it('every key defined is used by a page', () => {
    // A key counts as used where a console's code names it in quotes (t('…'), a nav label, a choice of two),
    // or where it is built at run time from one of these prefixes.
    const built = [
      'role.', 'grade.', 'areaKind.', 'idType.', 'sex.', 'registrationStatus.', 'credentialKind.', 'credentialStatus.',
      'deviceKind.', 'allowlist.', 'commandStatus.', 'alertType.', 'severity.', 'alertStatus.', 'alertAction.', 'alertStage.',
      'closureReason.', 'landlord.departure.', 'landlord.idError.', 'dispatch.since.', 'dispatch.procedure.', 'dispatch.event.direction.',
      'dispatch.event.result.', 'dispatch.event.reason.', 'dispatch.event.door.', 'dispatch.nextStep.',
      'landlord.inbox.type.', 'landlord.import.failed.', 'landlord.import.column.', 'landlord.import.error.',
      'landlordSite.cred.reason.', 'landlordSite.error.', 'landlordSite.meaning.', 'landlordSite.swipe.result.',
      'admin.webhooks.subscription.', 'admin.exchange.dataset.', 'admin.exchange.outcome.',
      'patrols.item.', 'patrols.outcome.', 'patrols.findingStatus.',
      'scoreDimension.', 'scoreCause.', 'policy.remedy.', 'policy.proposalStatus.', 'error.code.',
      'permitType.', 'landlord.permit.max.', 'reconciliation.kind.', 'reconciliation.since.',
      'kpi.name.', 'kpi.reason.',
    ]
    // Written ahead of the pages that other work is adding; take a key out once its page names it.
    const ahead = new Set([
      'nav.landlord.alerts', 'common.save', 'common.close', 'common.required',
    ])
    const quoted = new Set<string>()
    for (const f of consoleSources()) for (const m of readFileSync(f, 'utf8').matchAll(/['"]([a-zA-Z]\w*(?:\.\w+)+)['"]/g)) quoted.add(m[1]!)
    const keys = Object.values(CATALOGUES).flatMap((c) => Object.keys(c.zh))
    const unused = keys.filter((k) => !quoted.has(k) && !ahead.has(k) && !built.some((p) => k.startsWith(p)))
    expect(unused).toEqual([])
    // The prefixes and the list stay honest: each prefix still has keys, each key ahead is still defined.
    expect(built.filter((p) => !keys.some((k) => k.startsWith(p)))).toEqual([])
    expect([...ahead].filter((k) => !keys.includes(k))).toEqual([])
  })

  it('fills placeholders and switches language', () => {
    setLanguage('en')
    expect(t('nav.signedInAs', { name: 'Li', role: 'Landlord' })).toBe('Signed in as Li (Landlord)')
    setLanguage('zh-CN')
    expect(t('nav.signedInAs', { name: 'Li', role: '房东' })).toBe('当前用户：Li（房东）')
  })
})
