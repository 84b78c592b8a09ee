// Modes on the real file system (tests may run as root, so modes are checked, not access).

import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConfigError } from '../config.ts'
import { preparePrivateDir, tightenTree } from './private-files.ts'

let root: string
beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'rh-private-')) })
afterEach(() => { rmSync(root, { recursive: true, force: true }) })

const mode = (p: string): number => statSync(p).mode & 0o7777

describe('preparePrivateDir', () => {
  it('creates a missing DATA_DIR, parents included, 0700', () => {
    const dir = join(root, 'a', 'b', 'data')
    preparePrivateDir(dir, false)
    expect(mode(dir)).toBe(0o700)
    expect(mode(join(root, 'a'))).toBe(0o700)
  })

  it('refuses one that group or others can access, naming it and the fix, unless shared', () => {
    const dir = join(root, 'data')
    mkdirSync(dir)
    for (const m of [0o755, 0o750, 0o701, 0o720]) {
      chmodSync(dir, m)
      expect(() => preparePrivateDir(dir, false)).toThrow(ConfigError)
      expect(() => preparePrivateDir(dir, false)).toThrow(new RegExp(`${dir}.*chmod 700.*DATA_DIR_SHARED`, 's'))
      expect(() => preparePrivateDir(dir, true)).not.toThrow()
      expect(mode(dir)).toBe(m)
    }
    chmodSync(dir, 0o700)
    expect(() => preparePrivateDir(dir, false)).not.toThrow()
  })

  it('judges a DATA_DIR given as a symbolic link by the directory it points to', () => {
    const target = join(root, 'volume', 'data')
    mkdirSync(target, { recursive: true, mode: 0o700 })
    chmodSync(target, 0o700)
    const link = join(root, 'data')
    symlinkSync(target, link)
    expect(() => preparePrivateDir(link, false)).not.toThrow()
    chmodSync(target, 0o755)
    expect(() => preparePrivateDir(link, false)).toThrow(/mode 0755/)
  })

  it('refuses, by name, a DATA_DIR that links to nothing or is not a directory', () => {
    const dangling = join(root, 'dangling')
    symlinkSync(join(root, 'nowhere'), dangling)
    expect(() => preparePrivateDir(dangling, false)).toThrow(ConfigError)
    expect(() => preparePrivateDir(dangling, false)).toThrow(/symbolic link to .*nowhere, which does not exist/)
    const file = join(root, 'file')
    writeFileSync(file, 'x')
    expect(() => preparePrivateDir(file, false)).toThrow(ConfigError)
    // Below a file, and through links that go round: what the file system answers, in words.
    expect(() => preparePrivateDir(join(file, 'data'), false)).toThrow(ConfigError)
    expect(() => preparePrivateDir(join(file, 'data'), false)).toThrow(/a part of the path is a file.*ENOTDIR/)
    symlinkSync(join(root, 'loop-b'), join(root, 'loop-a'))
    symlinkSync(join(root, 'loop-a'), join(root, 'loop-b'))
    expect(() => preparePrivateDir(join(root, 'loop-a'), false)).toThrow(/go round in a loop.*ELOOP/)
  })
})

describe('tightenTree', () => {
  it('takes every group and other permission away below a path, and leaves symbolic links and their targets alone', () => {
    const dir = join(root, 'registry')
    mkdirSync(join(dir, 'base', '1'), { recursive: true })
    chmodSync(join(dir, 'base'), 0o755)
    writeFileSync(join(dir, 'PG_VERSION'), '17', { mode: 0o666 })
    chmodSync(join(dir, 'PG_VERSION'), 0o666)
    writeFileSync(join(dir, 'base', '1', '1259'), 'x')
    chmodSync(join(dir, 'base', '1', '1259'), 0o664)
    writeFileSync(join(dir, 'script'), '#!/bin/sh\n')
    chmodSync(join(dir, 'script'), 0o755)
    const outside = join(root, 'outside.txt')
    writeFileSync(outside, 'x')
    chmodSync(outside, 0o644)
    symlinkSync(outside, join(dir, 'link'))
    tightenTree(dir)
    expect(mode(join(dir, 'base'))).toBe(0o700)
    expect(mode(join(dir, 'PG_VERSION'))).toBe(0o600)
    expect(mode(join(dir, 'base', '1', '1259'))).toBe(0o600)
    expect(mode(join(dir, 'script'))).toBe(0o700)
    expect(mode(outside)).toBe(0o644)
    expect(() => tightenTree(join(root, 'missing'))).not.toThrow()
  })

  it('follows the path it is given when that is a symbolic link, and no link found below it', () => {
    const target = join(root, 'volume', 'data')
    mkdirSync(join(target, 'journal'), { recursive: true })
    chmodSync(target, 0o755)
    chmodSync(join(target, 'journal'), 0o755)
    writeFileSync(join(target, 'data.key'), 'k')
    chmodSync(join(target, 'data.key'), 0o644)
    const outside = join(root, 'outside')
    mkdirSync(outside)
    chmodSync(outside, 0o755)
    symlinkSync(outside, join(target, 'journal', 'elsewhere'))
    const link = join(root, 'data')
    symlinkSync(target, link)
    tightenTree(link)
    expect(mode(target)).toBe(0o700)
    expect(mode(join(target, 'journal'))).toBe(0o700)
    expect(mode(join(target, 'data.key'))).toBe(0o600)
    expect(mode(outside)).toBe(0o755)
    symlinkSync(join(root, 'nothing'), join(root, 'dangling'))
    expect(() => tightenTree(join(root, 'dangling'))).not.toThrow()
  })
})
