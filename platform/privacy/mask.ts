// What personal data looks like on screen.

/** Keeps the first 3 and last 4 characters (first 1 and last 2 below 10 characters). */
export function maskIdNumber (n: string): string {
  if (n.length === 0) return ''
  const [head, tail] = n.length >= 10 ? [3, 4] : n.length >= 4 ? [1, 2] : [0, 0]
  return n.slice(0, head) + '*'.repeat(n.length - head - tail) + n.slice(n.length - tail)
}

/** `张*`, `欧阳**`; Latin names keep each word's first letter: `J*** S****`. */
export function maskName (name: string): string {
  const t = name.trim()
  if (t === '') return ''
  if (/[\u3400-\u9fff]/.test(t)) {
    const chars = [...t]
    const keep = chars.length >= 4 ? 2 : 1
    return chars.slice(0, keep).join('') + '*'.repeat(chars.length - keep)
  }
  return t.split(/\s+/).map((w) => w[0] + '*'.repeat(Math.max(0, [...w].length - 1))).join(' ')
}

/** `138****5678`; other lengths keep the first 3 and last 2. */
export function maskPhone (phone: string): string {
  const d = phone.replace(/\D/g, '')
  if (d.length === 11) return `${d.slice(0, 3)}****${d.slice(7)}`
  if (d.length <= 5) return '*'.repeat(d.length)
  return d.slice(0, 3) + '*'.repeat(d.length - 5) + d.slice(-2)
}
