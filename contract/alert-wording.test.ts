// The alert wording catalogue: every code has a zh-CN and an English template
// naming the same params, and a sample of each code's params (typed, so the
// list cannot miss a code) fills every placeholder and leaves none unused;
// every code a rule or the allow-list side writes is in the catalogue; the
// English stays the sentence the platform wrote before reasons were kept.

import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  ALERT_REASON_CODES, ALERT_WORDING, isAlertReasonCode, placeholders, says, wordAlert,
  type AlertReason, type AlertReasonCode, type AlertReasonParams,
} from './alert-wording.ts'

const card = { kind: 'card', masked: '…3F9A' } as const
const pin = { kind: 'pin', masked: null } as const
const T1 = '2026-03-01T10:00:00.000Z'
const T2 = '2026-03-01T10:05:00.000Z'

const SAMPLES: { [C in AlertReasonCode]: AlertReasonParams[C] } = {
  'unknown_credential.presented': { credential: card, door: 'main-gate', result: 'denied' },
  'foreign_credential.presented': { credential: card, door: 'main-gate', result: 'granted' },
  'expired_credential.presented': { credential: card, room: '101', door: 'main-gate', why: 'permit_expired', result: 'denied' },
  'outside_window.presented': { credential: pin, door: 'main-gate', result: 'denied' },
  'repeated_denials.door': { count: 5, door: 'main-gate', credential: pin },
  'repeated_denials.credential': { count: 6, door: 'main-gate', credential: card },
  'impossible_travel.here': { credential: card, door: 'main-gate', gapS: 45, order: 'after', holder: 'here' },
  'impossible_travel.owner': { credential: card, gapS: 600 },
  'tailgating.counted': { counted: 3, door: 'main-gate', startAt: T1, endAt: T2, granted: 1, excess: 2 },
  'door_forced.forced': { door: 'main-gate' },
  'door_held_open.held': { door: 'main-gate' },
  'door_held_open.held_for': { door: 'main-gate', seconds: 90 },
  'tamper.reported': { device: 'rd-1', door: 'main-gate' },
  'device_offline.silent': { device: 'rd-1', deviceKind: 'reader', door: 'main-gate', lastAt: T1, heartbeatS: 30 },
  'device_offline.shutdown': { device: 'rd-1' },
  'device_offline.disabled': { device: 'rd-1' },
  'device_offline.secret_rotated': { device: 'rd-1' },
  'device_offline.lost': { device: 'rd-1' },
  'clock_drift.off': { device: 'rd-1', offsetS: '7.5', direction: 'behind', maxS: 5 },
  'overcrowding_observed.counted': { present: 5, room: '101', capacity: 2, registered: 2 },
  'overcrowding_registered.counted': { room: '101', registered: 4, capacity: 2 },
  'room_vacant.silent': { room: '101', days: 90, sinceAt: T1, registered: 1 },
  'resident_not_seen.never_seen': { room: '101', days: 30, arrivedAt: T1 },
  'resident_not_seen.last_seen': { room: '101', days: 30, lastSeenAt: T1 },
  'visitor_overstay.stayed': { room: '101', enteredAt: T1, deadlineAt: T2 },
  'reader_not_updated.awaiting_approval': { device: 'rd-1', door: 'main-gate' },
  'reader_not_updated.needs_key': { device: 'rd-1', door: 'main-gate' },
  'reader_not_updated.wrong_key': { device: 'rd-1', door: 'main-gate' },
  cleared: {},
  'cleared.device_removed': {},
  'cleared.device_disabled': {},
  'cleared.device_enabled': {},
  'cleared.reader_confirmed': {},
  'cleared.reader_disabled': {},
  'cleared.reader_gone': {},
}

const reasonOf = (code: AlertReasonCode): AlertReason => ({ code, params: SAMPLES[code] }) as AlertReason

describe('the alert wording catalogue', () => {
  it('has, for every code, a non-empty template in each language naming the same params', () => {
    expect(ALERT_REASON_CODES.sort()).toEqual(Object.keys(SAMPLES).sort())
    for (const lang of ['zh-CN', 'en'] as const) expect(Object.keys(ALERT_WORDING[lang].templates).sort()).toEqual(ALERT_REASON_CODES.sort())
    for (const code of ALERT_REASON_CODES) {
      const zh = ALERT_WORDING['zh-CN'].templates[code]
      const en = ALERT_WORDING.en.templates[code]
      expect(zh.trim().length, code).toBeGreaterThan(0)
      expect(en.trim().length, code).toBeGreaterThan(0)
      expect([...placeholders(zh)].sort(), code).toEqual([...placeholders(en)].sort())
      // Every param of the code is said, and nothing else is asked for.
      expect([...placeholders(en)].sort(), code).toEqual(Object.keys(SAMPLES[code]).sort())
    }
  })

  it('words every code in both languages with every placeholder filled', () => {
    for (const code of ALERT_REASON_CODES) {
      for (const lang of ['zh-CN', 'en'] as const) {
        const text = wordAlert(reasonOf(code), lang)
        expect(text, `${code} ${lang}`).not.toMatch(/[{}]|\?|undefined|null|\[object/)
        if (lang === 'zh-CN') expect(text, code).toMatch(/[\u4e00-\u9fff]/)
      }
    }
  })

  it('says a credential by its kind and last four characters, a PIN by its kind, in each language', () => {
    const unknown = { code: 'unknown_credential.presented', params: SAMPLES['unknown_credential.presented'] } as const
    expect(wordAlert(unknown, 'en')).toBe('Unregistered card …3F9A presented at door main-gate. The reader refused it. Anyone living here must be registered by the landlord.')
    expect(wordAlert(unknown, 'zh-CN')).toBe('未登记的门卡 …3F9A 在门 main-gate 出示。读卡器已拒绝。在此居住的人须由房东登记。')
    expect(wordAlert({ code: 'outside_window.presented', params: SAMPLES['outside_window.presented'] }, 'en')).toBe(
      'The PIN was presented at door main-gate outside its allowed hours. The reader refused it.')
  })

  it('words plurals, durations and times as the reader needs them', () => {
    const one = { counted: 1, door: 'east', startAt: T1, endAt: T2, granted: 0, excess: 1 }
    expect(wordAlert({ code: 'tailgating.counted', params: one }, 'en')).toBe(
      `The camera counted 1 person entering door east between ${T1} and ${T2}, but only 0 granted entries explain them: ` +
      '1 entered without a credential (tailgating, or someone living here unregistered).')
    const many = { ...one, counted: 3, granted: 1, excess: 2 }
    expect(wordAlert({ code: 'tailgating.counted', params: many }, 'en')).toContain('counted 3 people entering door east')
    expect(wordAlert({ code: 'tailgating.counted', params: many }, 'en')).toContain('only 1 granted entry explains them')
    expect(wordAlert({ code: 'tailgating.counted', params: many }, 'zh-CN', { time: (iso) => `<${iso.slice(11, 16)}>` })).toBe(
      '摄像头统计到 <10:00> 至 <10:05> 之间有 3 人经门 east 进入，但只有 1 次授权通行可以对应：2 人未凭证进入（尾随进入，或有未登记的人住在这里）。')
    const travel = (gapS: number) => ({ code: 'impossible_travel.owner', params: { credential: card, gapS } }) as const
    expect(wordAlert(travel(45), 'en')).toContain('45 s apart')
    expect(wordAlert(travel(600), 'en')).toContain('10 min apart')
    expect(wordAlert(travel(600), 'zh-CN')).toContain('相隔 10 分钟')
  })

  it('gives the platform its explanation: the English wording (says)', () => {
    const said = says('door_held_open.held_for', { door: 'main', seconds: 120 })
    expect(said).toEqual({
      reason: { code: 'door_held_open.held_for', params: { door: 'main', seconds: 120 } },
      explanation: 'Door main has been held open for 120 s: anyone can walk in unrecorded until it closes.',
    })
  })

  it('knows every code the rules and the allow-list side write', () => {
    const dirs = ['platform/pipeline/rules/', 'platform/allowlist/']
    const written = new Set<string>()
    for (const dir of dirs) {
      for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
        for (const m of readFileSync(dir + f, 'utf8').matchAll(/'((?:[a-z_]+\.)?[a-z_]+)'/g)) {
          if (m[1]!.startsWith('cleared') || /^[a-z_]+\.[a-z_]+$/.test(m[1]!)) written.add(m[1]!)
        }
      }
    }
    const unknown = [...written].filter((c) => !isAlertReasonCode(c))
    expect(unknown).toEqual([])
    // Each code of the catalogue is written somewhere (none left over from a sentence no rule says any more).
    expect(ALERT_REASON_CODES.filter((c) => !written.has(c))).toEqual([])
  })
})
