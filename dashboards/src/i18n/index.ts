// The consoles' texts: Chinese by default, English on request, remembered in
// the browser. Every console adds its catalogue to CATALOGUES; a key that one
// language lacks is a type error (catalog.ts) and an empty text fails
// i18n.test.ts.

import * as common from './common.ts'
import * as vocabulary from './vocabulary.ts'
import * as landlord from './landlord.ts'
import * as dispatch from './dispatch.ts'
import * as grid from './grid.ts'
import * as admin from './admin.ts'
import * as landlordSite from './landlord-site.ts'
import * as patrols from './patrols.ts'
import * as policy from './policy.ts'
import * as permits from './permits.ts'
import * as kpis from './kpis.ts'

export const LANGUAGES = ['zh-CN', 'en'] as const
export type Language = (typeof LANGUAGES)[number]

/** Each area of the consoles: its Chinese and English texts. */
export const CATALOGUES = { common, vocabulary, landlord, dispatch, grid, admin, landlordSite, patrols, policy, permits, kpis }

const zh = { ...common.zh, ...vocabulary.zh, ...landlord.zh, ...dispatch.zh, ...grid.zh, ...admin.zh, ...landlordSite.zh, ...patrols.zh, ...policy.zh, ...permits.zh, ...kpis.zh }
const en: Record<keyof typeof zh, string> = { ...common.en, ...vocabulary.en, ...landlord.en, ...dispatch.en, ...grid.en, ...admin.en, ...landlordSite.en, ...patrols.en, ...policy.en, ...permits.en, ...kpis.en }

export type MessageKey = keyof typeof zh

const TEXTS: Record<Language, Record<MessageKey, string>> = { 'zh-CN': zh, en }
const STORAGE_KEY = 'rh.lang'

let current: Language = initialLanguage()

function initialLanguage (): Language {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY)
    if (saved === 'en' || saved === 'zh-CN') return saved
  } catch {}
  return 'zh-CN'
}

export function language (): Language { return current }

export function setLanguage (lang: Language): void {
  current = lang
  try { globalThis.localStorage?.setItem(STORAGE_KEY, lang) } catch {}
  if (typeof document !== 'undefined') {
    document.documentElement.lang = lang
    document.title = t('app.title')
  }
}

/** Keys asked for that have no text (a vocabulary value the platform sent that the catalogue lacks): the browser tests read it. */
export const missingTexts = new Set<string>()
;(globalThis as { rhMissingTexts?: Set<string> }).rhMissingTexts = missingTexts

/** The text of `key` in the current language, with `{name}` placeholders filled in. */
export function t (key: MessageKey, params: Record<string, string | number> = {}): string {
  const text = TEXTS[current][key] as string | undefined
  if (text === undefined || text === '') {
    missingTexts.add(`${current}:${key}`)
    return key
  }
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole))
}

/** For keys built from a vocabulary value (`alertType.${type}`): the type system checks the prefix, this the rest. */
export function hasText (key: string): key is MessageKey { return key in zh }
