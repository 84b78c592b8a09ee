// How a credential's value is shown, everywhere (API replies, alert
// explanations, evidence, the consoles): its last 4 characters only, `…3F9A`;
// a value of 4 characters or fewer not at all. One rule, so that two views of
// the same card never together show more of it than one does.

export function maskCredentialValue (value: string): string {
  const chars = [...value]
  return chars.length <= 4 ? '…' : `…${chars.slice(-4).join('')}`
}
