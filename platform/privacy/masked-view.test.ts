// What a role is shown of a person must not give their ID number away: the
// masked number together with everything else the API shows (sex, an age
// hint) leaves at least a million ID numbers it could be, counted here by
// enumeration, with the region taken as known (a household address tells it).
// Every role that reads residents is checked on every route that shows one (a
// move too, by the landlord of either side), on both databases; the full number stays behind the audited reveal.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { residentIdNumber, withCheckChar } from '../../test/support/id-numbers.ts'
import { callApi, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'

const MILLION = 1_000_000

interface Shown { idNumberMasked: string; sex: 'male' | 'female' | null; birthDate?: string | null; birthDecade?: number | null }

/** Days of the birth dates `shown` allows (a date, a decade, or anything from 1900 to now). */
function birthDates (shown: Shown): string[] {
  if (typeof shown.birthDate === 'string') return [shown.birthDate]
  const from = typeof shown.birthDecade === 'number' ? shown.birthDecade : 1900
  const to = typeof shown.birthDecade === 'number' ? shown.birthDecade + 10 : new Date().getUTCFullYear() + 1
  const out: string[] = []
  for (let t = Date.UTC(from, 0, 1); t < Date.UTC(to, 0, 1); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10))
  return out
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK = '10X98765432'

/**
 * How many 18-character numbers with this region fit what is shown: every shown character in place, the
 * birth date among those allowed, the sequence's parity the sex shown, the check character computed
 * (GB 11643, here independently of the code under test). Counting stops at a million (enough).
 */
function candidates (region: string, shown: Shown): number {
  const masked = shown.idNumberMasked
  if (masked.length !== 18) return MILLION // not even the length of the number is shown
  const fits = (chars: string, from: number): boolean => [...chars].every((c, i) => masked[from + i] === '*' || masked[from + i] === c)
  const tailShown = /[^*]/.test(masked.slice(14))
  let n = 0
  for (const date of birthDates(shown)) {
    const prefix = `${region}${date.replaceAll('-', '')}`
    if (!fits(prefix, 0)) continue
    let sum = 0
    for (let i = 0; i < 14; i++) sum += Number(prefix[i]) * WEIGHTS[i]!
    for (let seq = 0; seq < 1000; seq++) {
      if (shown.sex !== null && (seq % 2 === 1) !== (shown.sex === 'male')) continue
      if (tailShown) {
        const s = String(seq).padStart(3, '0')
        const check = CHECK[(sum + Number(s[0]) * 5 + Number(s[1]) * 8 + Number(s[2]) * 4) % 11]!
        if (!fits(s + check, 14)) continue
      }
      if (++n >= MILLION) return n
    }
  }
  return n
}

describe.each(DATABASE_KINDS)('what each role sees of a person (%s)', (kind) => {
  let tp: TestPlatform
  beforeAll(async () => { tp = await startTestPlatform(kind) }, 60_000)
  afterAll(async () => { await tp?.dispose() })

  const READERS = ['admin', 'landlord-li', 'grid-chen', 'police-zumiao'] as const

  it.each([
    ['resident_id', residentIdNumber(4321)],
    ['hk_macao_tw_residence_permit', withCheckChar('81000019880612123')],
    ['foreign_permanent_resident', withCheckChar('91123419950303456')],
  ])('leaves at least a million candidates for a %s number on every route, for every role', async (idType, idNumber) => {
    const r = await callApi(tp, 'admin', 'POST', '/rooms/demo-b1-201/registrations', {
      resident: { name: 'Wang Xiaoming', idType, idNumber, householdAddress: 'Some village, Chancheng' },
    })
    expect(r.status).toBe(201)
    const reg = r.body.registration as { id: string; resident: { id: string } }
    const birth = idNumber.slice(6, 14)
    for (const who of READERS) {
      const views: Array<[string, Shown, unknown]> = []
      const person = await callApi(tp, who, 'GET', `/residents/${reg.resident.id}`)
      views.push([`GET /residents/{id}`, person.body, person.body])
      const one = await callApi(tp, who, 'GET', `/registrations/${reg.id}`)
      views.push(['GET /registrations/{id}', one.body.resident, one.body])
      for (const url of ['/buildings/demo-b1/registrations', '/rooms/demo-b1-201/registrations']) {
        const list = await callApi(tp, who, 'GET', url)
        const mine = (list.body as Array<{ id: string; resident: Shown }>).find((g) => g.id === reg.id)!
        views.push([`GET ${url}`, mine.resident, mine])
      }
      for (const [route, shown, whole] of views) {
        expect({ who, route, count: candidates(idNumber.slice(0, 6), shown) }).toEqual({ who, route, count: MILLION })
        // Nothing else in the answer carries the birth date or the number.
        const text = JSON.stringify(whole)
        expect(text, `${who} ${route}`).not.toContain(birth)
        expect(text, `${who} ${route}`).not.toContain(`${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6, 8)}`)
        expect(shown.idNumberMasked, `${who} ${route}`).not.toContain(idNumber.slice(-4))
      }
    }
    // A move: landlord Wang registers the person in demo-b2, which waits for demo-b1's side. Each reader of a
    // side, the other building's landlord included, is shown that side's person masked the same way.
    const moved = await callApi(tp, 'landlord-wang', 'POST', '/rooms/demo-b2-101/registrations', { resident: { name: 'Wang Xiaoming', idType, idNumber } })
    expect(moved.body.registration?.status).toBe('pending')
    for (const who of [...READERS, 'landlord-wang'] as const) {
      const move = await callApi(tp, who, 'GET', `/moves/${moved.body.move.id}`)
      expect(move.status).toBe(200)
      const sides = [move.body.from, move.body.to].filter((g) => g !== null) as Array<{ resident: Shown }>
      expect(sides.length).toBeGreaterThan(0)
      for (const side of sides) expect({ who, count: candidates(idNumber.slice(0, 6), side.resident) }).toEqual({ who, count: MILLION })
      const text = JSON.stringify(move.body)
      expect(text, who).not.toContain(birth)
      expect(text, who).not.toContain(idNumber.slice(-4))
    }
    await callApi(tp, 'landlord-wang', 'POST', `/moves/${moved.body.move.id}/withdraw`, {})
    expect((await callApi(tp, 'vendor-acme', 'GET', `/residents/${reg.resident.id}`)).status).toBe(404)
    // The number in clear is for police of the jurisdiction and administrators, through the audited route.
    const revealed = await callApi(tp, 'police-zumiao', 'POST', `/residents/${reg.resident.id}/id-number`, { reason: 'case 2026-77' })
    expect(revealed.body).toEqual({ idType, idNumber })
  }, 120_000)

  it.each([
    ['passport', 'E12345678'], ['passport', 'EA1234567'], ['hk_macao_pass', 'H1234567801'], ['tw_pass', '12345678'],
    ['foreign_permanent_resident', 'USA123456789012'],
  ])('shows one character of a %s number and hides its length', async (idType, idNumber) => {
    const r = await callApi(tp, 'admin', 'POST', '/rooms/demo-b1-102/registrations', { resident: { name: 'Visitor From Afar', idType, idNumber } })
    expect(r.status).toBe(201)
    const shown = r.body.registration.resident as Shown
    expect(shown).toMatchObject({ idNumberMasked: `${idNumber[0]}********`, sex: null, birthDecade: null })
    await callApi(tp, 'admin', 'POST', `/registrations/${r.body.registration.id}/deregister`, { reason: 'moved_out' })
  })
})
