// Reading Frigate's messages and mapping a tracked person onto zone entries
// and crossings; the remembered entries on a real disk.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { crossing, eventIdFor, snapshotUrl, zoneEntries, type FrigateCameraMap } from './frigate-mapping.ts'
import { MAX_FRIGATE_PAYLOAD, readAvailable, readCount, readFrigateEvent, type FrigateEvent } from './frigate-message.ts'
import { SeenEntries } from './seen-entries.ts'
import { frigateEvent, NOW } from './frigate-messages.test-kit.ts'

const read = (text: string): FrigateEvent => {
  const r = readFrigateEvent(Buffer.from(text), NOW)
  if (!r.ok) throw new Error(r.detail)
  return r.value
}

const cam: FrigateCameraMap = {
  frigate: 'front_door',
  zones: { lobby: { door: 'main-gate' }, street: {} },
  line: { door: 'main-gate', outside: 'street', inside: 'lobby' },
}

describe('reading Frigate messages', () => {
  it('reads a tracked-object update as Frigate documents it', () => {
    const e = read(frigateEvent({ entered: ['street', 'lobby'], before: ['street'] }))
    expect(e).toMatchObject({ type: 'update', after: { id: '1772438400.123456-abc123', camera: 'front_door', label: 'person', score: 0.91, enteredZones: ['street', 'lobby'], frameTime: NOW / 1000 } })
    expect(e.before?.enteredZones).toEqual(['street'])
  })

  it('refuses what is not a Frigate message, saying why', () => {
    const refused = (text: string | Buffer) => {
      const r = readFrigateEvent(typeof text === 'string' ? Buffer.from(text) : text, NOW)
      return r.ok ? 'read' : r.reason
    }
    expect(refused('{not json')).toBe('not_json')
    expect(refused(Buffer.alloc(MAX_FRIGATE_PAYLOAD + 1, 0x20))).toBe('too_big')
    expect(refused('[]')).toBe('not_frigate')
    expect(refused(JSON.stringify({ type: 'moved', after: {} }))).toBe('not_frigate')
    expect(refused(frigateEvent({ camera: '../etc' }))).toBe('not_frigate')
    expect(refused(frigateEvent({ entered: ['a/b'] }))).toBe('not_frigate')
    const mixed = JSON.parse(frigateEvent()) as { before: { id: string } }
    mixed.before.id = 'other-id'
    expect(refused(JSON.stringify(mixed))).toBe('not_frigate')
  })

  it('does not believe a frame time from far in the future or from long ago', () => {
    expect(read(frigateEvent({ frameTime: NOW / 1000 + 3 * 86_400 })).after.frameTime).toBeUndefined()
    expect(read(frigateEvent({ frameTime: 12 })).after.frameTime).toBeUndefined()
  })

  it('reads counts and availability, refusing anything else', () => {
    expect(readCount(Buffer.from('3'))).toEqual({ ok: true, value: 3 })
    expect(readCount(Buffer.from('-1')).ok).toBe(false)
    expect(readCount(Buffer.from('1e9')).ok).toBe(false)
    expect(readAvailable(Buffer.from('offline'))).toEqual({ ok: true, value: 'offline' })
    expect(readAvailable(Buffer.from('maybe')).ok).toBe(false)
  })
})

describe('mapping a tracked person', () => {
  it('gives one entry per configured zone entered, with the door and the frame time', () => {
    const entries = zoneEntries(cam, read(frigateEvent({ entered: ['street', 'garden', 'lobby'] })), NOW + 500)
    expect(entries).toEqual([
      { key: '1772438400.123456-abc123/zone/street', zone: 'street', t: NOW, confidence: 0.91 },
      { key: '1772438400.123456-abc123/zone/lobby', zone: 'lobby', door: 'main-gate', t: NOW, confidence: 0.91 },
    ])
  })

  it('ignores other labels, false positives, other cameras and zones named like object properties', () => {
    expect(zoneEntries(cam, read(frigateEvent({ label: 'car', entered: ['lobby'] })), NOW)).toEqual([])
    expect(zoneEntries(cam, read(frigateEvent({ falsePositive: true, entered: ['lobby'] })), NOW)).toEqual([])
    expect(zoneEntries(cam, read(frigateEvent({ camera: 'back_yard', entered: ['lobby'] })), NOW)).toEqual([])
    expect(zoneEntries(cam, read(frigateEvent({ entered: ['constructor', 'toString'] })), NOW)).toEqual([])
  })

  it('derives in and out from the order of the two line zones, and nothing from one zone', () => {
    expect(crossing(cam, read(frigateEvent({ entered: ['street', 'lobby'] })))).toEqual({ key: '1772438400.123456-abc123/line', direction: 'in' })
    expect(crossing(cam, read(frigateEvent({ entered: ['lobby', 'garden', 'street'] })))?.direction).toBe('out')
    expect(crossing(cam, read(frigateEvent({ entered: ['lobby'] })))).toBeUndefined()
    expect(crossing({ ...cam, line: undefined }, read(frigateEvent({ entered: ['street', 'lobby'] })))).toBeUndefined()
  })

  it('names each entry by one eventId, the same every time, shaped as a UUID', () => {
    const id = eventIdFor('d-cam1', 'x/zone/lobby')
    expect(id).toBe(eventIdFor('d-cam1', 'x/zone/lobby'))
    expect(id).not.toBe(eventIdFor('d-cam2', 'x/zone/lobby'))
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })

  it('points the snapshot reference at Frigate\'s own API', () => {
    expect(snapshotUrl('http://frigate.lan:5000/', '1772438400.1-ab')).toBe('http://frigate.lan:5000/api/events/1772438400.1-ab/snapshot.jpg')
  })
})

describe('the entries remembered on disk', () => {
  let dir: string | undefined
  afterEach(() => { if (dir !== undefined) rmSync(dir, { recursive: true, force: true }) })

  it('remembers across a reopening, forgets what is old, and ignores a torn last line', () => {
    dir = mkdtempSync(join(tmpdir(), 'rh-frigate-seen-'))
    const file = join(dir, 'seen.log')
    let now = NOW
    const seen = new SeenEntries({ file, keepMs: 60_000, now: () => now })
    expect(seen.take('a/zone/lobby')).toBe(true)
    expect(seen.take('a/zone/lobby')).toBe(false) // being kept: a second message meanwhile is a duplicate
    seen.remember(['a/zone/lobby'])
    now += 30_000
    expect(seen.take('b/zone/lobby')).toBe(true)
    seen.release('b/zone/lobby') // its event could not be kept: it may come again
    expect(seen.take('b/zone/lobby')).toBe(true)
    seen.remember(['b/zone/lobby'])
    seen.close()
    writeFileSync(file, `${readFileSync(file, 'utf8')}c/zone/lob`)
    now += 40_000
    const again = new SeenEntries({ file, keepMs: 60_000, now: () => now })
    expect(again.has('a/zone/lobby')).toBe(false)
    expect(again.has('b/zone/lobby')).toBe(true)
    expect(again.size).toBe(1)
    expect(readFileSync(file, 'utf8')).toBe(`b/zone/lobby\t${NOW + 30_000}\n`)
    again.close()
  })

  it('holds at most maxKeys, the oldest forgotten first', () => {
    dir = mkdtempSync(join(tmpdir(), 'rh-frigate-seen-'))
    const seen = new SeenEntries({ file: join(dir, 'seen.log'), maxKeys: 3 })
    for (const k of ['k1', 'k2', 'k3', 'k4', 'k5']) seen.remember([k])
    expect(seen.size).toBe(3)
    expect(['k1', 'k2', 'k3', 'k4', 'k5'].map((k) => seen.has(k))).toEqual([false, false, true, true, true])
    seen.close()
  })
})
