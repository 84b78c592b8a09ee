// A message catalogue is a pair of objects with the same keys, Chinese first.
// `english<typeof zh>({...})` makes a missing or extra English text a type
// error; i18n.test.ts checks that no text is empty.

export type Catalogue<T> = { readonly [K in keyof T]: string }

export function english<T> (en: Catalogue<T>): Catalogue<T> { return en }
