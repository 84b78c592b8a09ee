// A legacy reader's message, read through its model into the fields of an
// rh/v1 access event (protocol §7.2), or into a question "may this card
// open?". Pure: the message comes as a lookup of the model's `at` names (a
// JSON pointer into an HTTP body, or a named group of a line), the site's
// facts as data.

import type { EventFields } from '../../protocol/device-client/index.ts'
import { DENY_REASONS, type DenyReason } from '../../protocol/index.ts'
import type { ReaderModel } from './reader-model.ts'
import { asText, cardNumber, FieldError, mapped, readerTime } from './values.ts'

/** What the site config says about one legacy reader. */
export interface LegacyReaderSite {
  /** The reader's door numbers → the platform's door ids. */
  doors: Readonly<Record<string, string>>
  /** Which way the reader at each of our doors faces, when the model's message does not say. */
  facing?: Readonly<Record<string, 'in' | 'out'>>
  /** How the building's cards are registered (the platform converts nothing). */
  cardsRegisteredAs: 'hex' | 'decimal'
  timeZone: string
}

export type Lookup = (at: string) => unknown

export interface ReadSwipe {
  fields: EventFields<'event/access'>
  /** When it happened, by the reader's clock (or the gateway's when the model lets the time be left out). */
  t: number
  /** The reader gave no time: `t` is the gateway's time of receipt. */
  timeOfReceipt: boolean
}

const REASONS: ReadonlySet<string> = new Set(DENY_REASONS)

function door (model: ReaderModel, site: LegacyReaderSite, get: Lookup): { door: string; direction: 'in' | 'out' } {
  const theirs = mapped('door', asText('door', get(model.fields.door.at)), model.fields.door.map)
  // The reader's word is data: only the site's own doors count (never a property every object has).
  const ours = Object.hasOwn(site.doors, theirs) ? site.doors[theirs] : undefined
  if (ours === undefined) throw new FieldError('door', `door "${theirs.slice(0, 32)}" is not one the site config names for this reader`)
  let direction: string | undefined
  if (model.fields.direction !== undefined) direction = mapped('direction', asText('direction', get(model.fields.direction.at)), model.fields.direction.map)
  else direction = site.facing !== undefined && Object.hasOwn(site.facing, ours) ? site.facing[ours] : undefined
  if (direction !== 'in' && direction !== 'out') throw new FieldError('direction', direction === undefined ? 'neither the message nor the site config says which way the reader faces' : `"${direction}" is neither in nor out`)
  return { door: ours, direction }
}

function card (model: ReaderModel, site: LegacyReaderSite, get: Lookup): string {
  const f = model.fields.card
  return cardNumber(asText('card', get(f.at)), f.form, site.cardsRegisteredAs, f.byteOrder)
}

/** A swipe the reader reports (it decided by itself). */
export function readSwipe (model: ReaderModel, site: LegacyReaderSite, get: Lookup, receivedAt: number): ReadSwipe {
  const where = door(model, site, get)
  const value = card(model, site, get)
  const result = mapped('result', asText('result', get(model.fields.result.at)), model.fields.result.map)
  if (result !== 'granted' && result !== 'denied') throw new FieldError('result', `"${result}" is neither granted nor denied`)
  let reason: DenyReason | undefined
  if (result === 'denied') {
    const f = model.fields.reason
    const raw = f === undefined ? undefined : get(f.at)
    const said = raw === undefined ? 'other' : mapped('reason', asText('reason', raw), f?.map)
    if (!REASONS.has(said)) throw new FieldError('reason', `"${said}" is not a reason of the protocol (${DENY_REASONS.join(', ')})`)
    reason = said as DenyReason
  }
  const rawTime = get(model.fields.time.at)
  let t = receivedAt
  let timeOfReceipt = false
  if (rawTime === undefined && model.fields.time.optional === true) timeOfReceipt = true
  else t = readerTime(asText('time', rawTime), model.fields.time.form, site.timeZone)
  return {
    fields: { door: where.door, direction: where.direction, credential: { kind: 'card', value }, result, ...(reason === undefined ? {} : { reason }) },
    t,
    timeOfReceipt,
  }
}

/** A question the reader asks before it opens (online verification). */
export function readAsk (model: ReaderModel, site: LegacyReaderSite, get: Lookup): { door: string; direction: 'in' | 'out'; value: string } {
  return { ...door(model, site, get), value: card(model, site, get) }
}

/** A reply template with {error}, {open} (a whole string becomes true or false) and {openText} filled in. */
export function fillReply (template: unknown, words: { error?: string; open?: boolean; openText?: string }): unknown {
  if (typeof template === 'string') {
    if (template === '{open}' && words.open !== undefined) return words.open
    return template.replaceAll('{error}', words.error ?? '').replaceAll('{open}', String(words.open ?? '')).replaceAll('{openText}', words.openText ?? '')
  }
  if (Array.isArray(template)) return template.map((x) => fillReply(x, words))
  if (template !== null && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, fillReply(v, words)]))
  }
  return template
}
