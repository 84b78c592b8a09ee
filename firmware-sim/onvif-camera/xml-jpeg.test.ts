// The camera's own pieces: the strict XML reader, the UsernameToken check, durations, and the snapshot JPEG
// decoded by a real browser.

import { describe, expect, it } from 'vitest'
import { chromium } from 'playwright-core'
import { parseXml, XmlError } from './xml.ts'
import { parseDurationMs, parseTerminationTime } from './soap.ts'
import { NonceMemory, verifyUsernameToken } from './wsse.ts'
import { sceneJpeg } from './jpeg.ts'
import { soapEnvelope } from './onvif-client.test-kit.ts'

describe('xml reader', () => {
  it('resolves namespaces, entities and CDATA', () => {
    const root = parseXml('<?xml version="1.0"?><!-- c --><a:x xmlns:a="urn:a" xmlns="urn:d" k="1 &amp; 2"><y>&lt;&#65;&#x42;<![CDATA[<z>]]></y></a:x>')
    expect(root).toMatchObject({ ns: 'urn:a', local: 'x', attributes: [{ local: 'k', value: '1 & 2' }] })
    expect(root.children[0]).toMatchObject({ ns: 'urn:d', local: 'y', text: '<AB<z>' })
  })

  it('refuses DTDs, unknown entities, bad nesting, undeclared prefixes and oversized input', () => {
    const bad = [
      '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', '<x>&e;</x>', '<x>a & b</x>', '<x><y></x></y>',
      '<p:x/>', '<x/><y/>', '<x a="1" a="2"/>', '<x', 'text', '', '<x>&#0;</x>', `<x>${'<y>'.repeat(100)}${'</y>'.repeat(100)}</x>`,
    ]
    for (const input of bad) expect(() => parseXml(input), input).toThrow(XmlError)
    expect(() => parseXml(`<x>${'a'.repeat(300_000)}</x>`)).toThrow(/longer than/)
    expect(() => parseXml(`<x>${'<y/>'.repeat(5000)}</x>`)).toThrow(/more than 4000 elements/)
  })
})

describe('UsernameToken', () => {
  const account = { username: 'admin', password: 'pw' }
  const header = (createdMs: number, password = 'pw', nonce = Buffer.from('n1n1n1n1')): ReturnType<typeof parseXml> | undefined =>
    parseXml(soapEnvelope('<b/>', { username: 'admin', password, createdMs, nonce })).children[0]

  it('accepts a digest within the window once, and says why it refuses', () => {
    const nonces = new NonceMemory()
    const now = Date.parse('2026-12-01T08:00:00Z')
    expect(verifyUsernameToken(header(now - 4000), account, now, 5000, nonces)).toEqual({ ok: true })
    expect(verifyUsernameToken(header(now - 4000), account, now, 5000, nonces)).toMatchObject({ cause: 'replay' })
    expect(verifyUsernameToken(header(now + 5001, 'pw', Buffer.from('n2')), account, now, 5000, nonces)).toMatchObject({ cause: 'clock' })
    expect(verifyUsernameToken(header(now, 'other', Buffer.from('n3')), account, now, 5000, nonces)).toMatchObject({ cause: 'digest' })
    expect(verifyUsernameToken(undefined, account, now, 5000, nonces)).toMatchObject({ cause: 'missing' })
  })
})

describe('durations and termination times', () => {
  it('reads xs:duration and absolute times, refuses the rest', () => {
    expect(parseDurationMs('PT1M30S')).toBe(90_000)
    expect(parseDurationMs('PT0.5S')).toBe(500)
    expect(parseDurationMs('P1DT1H')).toBe(90_000_000)
    for (const bad of ['P', 'PT', '60', 'PTS', 'PT1X']) expect(parseDurationMs(bad), bad).toBeUndefined()
    expect(parseTerminationTime('PT10S', 1000)).toBe(11_000)
    expect(parseTerminationTime('2026-12-01T08:00:00Z', 0)).toBe(Date.parse('2026-12-01T08:00:00Z'))
    expect(parseTerminationTime('tomorrow', 0)).toBeUndefined()
  })
})

describe('snapshot JPEG', () => {
  it('decodes in Chromium to the scene drawn, and dark while covered', async () => {
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' })
    try {
      const page = await browser.newPage()
      // A string, not a function: the page runs it as written.
      const decode = (jpeg: Buffer): Promise<unknown> => page.evaluate(`(async () => {
        const bytes = Uint8Array.from(atob('${jpeg.toString('base64')}'), (c) => c.charCodeAt(0))
        const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/jpeg' }))
        const canvas = new OffscreenCanvas(bmp.width, bmp.height)
        const g = canvas.getContext('2d')
        g.drawImage(bmp, 0, 0)
        const d = g.getImageData(0, 0, bmp.width, bmp.height).data
        const px = (x, y) => d[(y * bmp.width + x) * 4]
        return { width: bmp.width, height: bmp.height, wall: px(4, 4), marker: px(28, 4), door: px(28, 20), floor: px(4, 40) }
      })()`)
      expect(await decode(sceneJpeg(3, false))).toEqual({ width: 64, height: 48, wall: 200, marker: 255, door: 50, floor: 150 })
      expect(await decode(sceneJpeg(3, true))).toMatchObject({ wall: 12, marker: 12, door: 12, floor: 12 })
    } finally {
      await browser.close()
    }
  })
})
