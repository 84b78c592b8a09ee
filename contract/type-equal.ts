// Compile-time checks that two types are the same, for the pairs a schema and
// a hand-written type must agree on: `expectType<Equal<A, B>>()` fails `tsc`
// when a field is missing, extra or typed differently on either side.

export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false

/** Does nothing at run time; the type argument must be `true`. */
export function expectType<T extends true> (): T | undefined { return undefined }

/** A type that exists only when `T` is `true`: `type Checks = [Expect<Equal<A, B>>]`. */
export type Expect<T extends true> = T

/** `true` when every `A` is a `B` (a domain type narrower than what its schema admits). */
export type Extends<A, B> = [A] extends [B] ? true : false
