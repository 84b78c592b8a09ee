// Legacy reader models as data: the shipped models load, a bad model is
// refused with its path, and a reader's message becomes an rh/v1 access event
// (valid against the protocol's own schema) or a clear refusal.

import { describe, expect, it } from 'vitest'
import { validateUplink } from '../../protocol/index.ts'
import { fillReply, readAsk, readSwipe, type LegacyReaderSite } from './read-message.ts'
import { readerModel, shippedModels } from './reader-model.ts'
import { atPointer, cardNumber, readerTime } from './values.ts'

const models = shippedModels()
const http = models.get('http-json-push')!
const line = models.get('wiegand-line-bridge')!
const site: LegacyReaderSite = { doors: { 1: 'main-gate', 2: 'back-door' }, facing: { 'main-gate': 'in', 'back-door': 'out' }, cardsRegisteredAs: 'hex', timeZone: 'Asia/Shanghai' }
const body = (data: object): unknown => ({ sn: 'AC200-0042', data })
const lookup = (b: unknown) => (at: string) => atPointer(b, at)
const groups = (text: string, pattern: string) => {
  const m = new RegExp(pattern).exec(text)
  if (m === null) throw new Error('no match')
  return (at: string) => m.groups?.[at]
}
const ids = { eventId: '7c0c5f7e-2f59-4e0f-9a51-0d7f3c1f9b11', seq: 1, ts: '2026-12-03T08:00:00.000Z' }

describe('reader models', () => {
  it('the shipped models load; a model with a wrong field or a broken pattern is refused, naming it', () => {
    expect([...models.keys()]).toEqual(['http-json-push', 'wiegand-line-bridge'])
    expect(() => readerModel({ ...http, transport: 'carrier-pigeon' }, 'x.json')).toThrow(/x\.json: \/transport/)
    expect(() => readerModel({ ...http, http: undefined }, 'y.json')).toThrow(/needs "http"/)
    expect(() => readerModel({ ...line, line: { ...line.line, eventPattern: '^(unclosed' } }, 'z.json')).toThrow(/not a regular expression/)
  })
})

describe('values', () => {
  it('card numbers in the building\'s representation: hex, decimal, byte order, Wiegand 26', () => {
    expect(cardNumber('04a1b2c3', 'hex', 'hex')).toBe('04A1B2C3')
    expect(cardNumber('c3b2a104', 'hex', 'hex', 'lsb')).toBe('04A1B2C3')
    expect(cardNumber('77705923', 'decimal', 'hex')).toBe('04A1B2C3')
    expect(cardNumber('04A1B2C3', 'hex', 'decimal')).toBe('77705923')
    expect(cardNumber('12,34567', 'wiegand26', 'decimal')).toBe(String(12 * 65536 + 34567))
    expect(cardNumber('7', 'decimal', 'decimal')).toBe('0007')
    expect(cardNumber('0004a1b2c3', 'hex', 'hex')).toBe('0004A1B2C3')
    expect(() => cardNumber('12,99999', 'wiegand26', 'hex')).toThrow(/above 65535/)
    expect(() => cardNumber('xyz', 'hex', 'hex')).toThrow(/hexadecimal/)
  })

  it('reader times: local wall times in the site\'s zone, ISO, Unix; impossible ones refused', () => {
    expect(new Date(readerTime('2026-12-03 16:00:05', 'YYYY-MM-DD HH:mm:ss', 'Asia/Shanghai')).toISOString()).toBe('2026-12-03T08:00:05.000Z')
    expect(new Date(readerTime('20260704093000', 'YYYYMMDDHHmmss', 'Europe/Berlin')).toISOString()).toBe('2026-07-04T07:30:00.000Z')
    expect(readerTime('1764748800', 'epoch-s', 'UTC')).toBe(1_764_748_800_000)
    expect(readerTime('2026-12-03T16:00:05+08:00', 'iso', 'UTC')).toBe(Date.parse('2026-12-03T08:00:05Z'))
    expect(() => readerTime('2026-02-30 10:00:00', 'YYYY-MM-DD HH:mm:ss', 'Asia/Shanghai')).toThrow(/not a real date/)
    expect(() => readerTime('2026-12-03 25:00:00', 'YYYY-MM-DD HH:mm:ss', 'Asia/Shanghai')).toThrow(/not a real time/)
    expect(() => readerTime('2026/12/03 10:00:00', 'YYYY-MM-DD HH:mm:ss', 'Asia/Shanghai')).toThrow(/does not fit/)
  })

  it('JSON pointers, escaped keys included; reply templates filled', () => {
    expect(atPointer({ a: { 'b/c': [1, { d: 2 }] } }, '/a/b~1c/1/d')).toBe(2)
    expect(atPointer({ a: 1 }, '/a/b')).toBeUndefined()
    expect(atPointer({ a: 1 }, '/__proto__')).toBeUndefined()
    expect(fillReply({ code: 0, open: '{open}', msg: 'says {error}' }, { open: true, error: 'x' })).toEqual({ code: 0, open: true, msg: 'says x' })
  })
})

describe('reading messages', () => {
  it('an HTTP push swipe becomes a valid access event, with the reason when denied', () => {
    const granted = readSwipe(http, site, lookup(body({ cardNo: '04a1b2c3', doorNo: 1, inOut: 0, verify: 1, time: '2026-12-03 16:00:05' })), 0)
    expect(granted).toEqual({
      fields: { door: 'main-gate', direction: 'in', credential: { kind: 'card', value: '04A1B2C3' }, result: 'granted' },
      t: Date.parse('2026-12-03T08:00:05Z'), timeOfReceipt: false,
    })
    expect(validateUplink('event/access', { ...ids, ...granted.fields }).ok).toBe(true)
    const denied = readSwipe(http, site, lookup(body({ cardNo: 'DEAD01', doorNo: 2, inOut: 1, verify: 0, failCode: 2 })), 1234)
    expect(denied.fields).toMatchObject({ door: 'back-door', direction: 'out', result: 'denied', reason: 'expired' })
    expect(denied).toMatchObject({ t: 1234, timeOfReceipt: true })
    expect(validateUplink('event/access', { ...ids, ...denied.fields }).ok).toBe(true)
  })

  it('a swipe the model or the site does not know is refused with what is wrong, never guessed', () => {
    expect(() => readSwipe(http, site, lookup(body({ cardNo: '04a1', doorNo: 7, inOut: 0, verify: 1 })), 0)).toThrow(/door "7" is not one the site config names/)
    // A reader's word that happens to name a property of every object is still only a word.
    for (const doorNo of ['__proto__', 'constructor', 'toString']) {
      expect(() => readSwipe(http, site, lookup(body({ cardNo: '04a1', doorNo, inOut: 0, verify: 1 })), 0)).toThrow(/is not one the site config names/)
    }
    expect(() => readSwipe(http, site, lookup(body({ cardNo: '04a1', doorNo: 1, inOut: 'constructor', verify: 1 })), 0)).toThrow(/direction: value "constructor"/)
    expect(() => readSwipe(http, site, lookup(body({ cardNo: '04a1', doorNo: 1, inOut: 5, verify: 1 })), 0)).toThrow(/direction: value "5"/)
    expect(() => readSwipe(http, site, lookup(body({ doorNo: 1, inOut: 0, verify: 1 })), 0)).toThrow(/card: is missing/)
    expect(() => readSwipe(http, site, lookup(body({ cardNo: { x: 1 }, doorNo: 1, inOut: 0, verify: 1 })), 0)).toThrow(/card: is not text/)
  })

  it('a Wiegand line: the door\'s facing from the site config, the card converted, the question read', () => {
    const s = readSwipe(line, site, groups('EV,BRIDGE01,2,12,34567,D,20261203160005', line.line!.eventPattern), 0)
    expect(s.fields).toEqual({ door: 'back-door', direction: 'out', credential: { kind: 'card', value: (12 * 65536 + 34567).toString(16).toUpperCase().padStart(6, '0') }, result: 'denied', reason: 'other' })
    expect(validateUplink('event/access', { ...ids, ...s.fields }).ok).toBe(true)
    expect(readAsk(line, site, groups('ASK,BRIDGE01,1,12,34567', line.line!.verifyPattern!))).toEqual({ door: 'main-gate', direction: 'in', value: '0C8707' })
  })
})
