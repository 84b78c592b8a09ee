// A small seeded random number generator (sfc32, seeded through a string
// hash), so that a seed always builds the same world. `fork(label)` gives an
// independent stream per purpose: adding an anomaly does not move the
// residents' routines, and the other way round.

/** 32-bit FNV-1a over the text, then spread over four words. */
function seedWords (text: string): [number, number, number, number] {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  const words: number[] = []
  for (let i = 0; i < 4; i++) {
    h = Math.imul(h ^ (h >>> 16), 0x45d9f3b) >>> 0
    h = Math.imul(h ^ (h >>> 16), 0x45d9f3b) >>> 0
    h = (h ^ (h >>> 16)) >>> 0
    words.push(h + i * 0x9e3779b9 >>> 0)
  }
  return words as [number, number, number, number]
}

export class Rng {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor (readonly seed: string) {
    [this.a, this.b, this.c, this.d] = seedWords(seed)
    for (let i = 0; i < 12; i++) this.next()
  }

  /** An independent stream for one purpose. */
  fork (label: string): Rng {
    return new Rng(`${this.seed}/${label}`)
  }

  /** Uniform in [0, 1). */
  next (): number {
    const t = (this.a + this.b >>> 0) + this.d >>> 0
    this.d = this.d + 1 >>> 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = this.c + (this.c << 3) >>> 0
    this.c = (this.c << 21 | this.c >>> 11) >>> 0
    this.c = this.c + t >>> 0
    return t / 4294967296
  }

  /** Integer in [lo, hi], both included. */
  int (lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1))
  }

  /** Real number in [lo, hi). */
  real (lo: number, hi: number): number {
    return lo + this.next() * (hi - lo)
  }

  chance (p: number): boolean {
    return this.next() < p
  }

  pick<T> (items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list')
    return items[Math.floor(this.next() * items.length)]!
  }

  /** A shuffled copy. */
  shuffle<T> (items: readonly T[]): T[] {
    const out = [...items]
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1))
      const t = out[i]!
      out[i] = out[j]!
      out[j] = t
    }
    return out
  }

  /** `n` hex digits, upper case. */
  hex (n: number): string {
    let s = ''
    while (s.length < n) s += Math.floor(this.next() * 0x10000).toString(16).padStart(4, '0')
    return s.slice(0, n).toUpperCase()
  }
}
