// Valid PRC resident ID numbers for tests (GB 11643 check character computed
// here independently of the code under test).

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

export function withCheckChar (first17: string): string {
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * WEIGHTS[i]!, 0)
  return first17 + '10X98765432'[sum % 11]!
}

/** A distinct valid number per n (born 1990-01-01 + n days, region 440604). */
export function residentIdNumber (n: number): string {
  const birth = new Date(Date.UTC(1990, 0, 1) + n * 86_400_000)
  const ymd = birth.toISOString().slice(0, 10).replaceAll('-', '')
  return withCheckChar(`440604${ymd}${String(n % 1000).padStart(3, '0')}`)
}
