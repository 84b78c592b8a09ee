// Webhook signatures: `X-RH-Signature: sha256=<hex HMAC-SHA256 of the raw
// body, keyed with the webhook's secret>`. Receivers verify with
// `verifySignature` (or the few lines in docs/alerts.md) before parsing.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { deriveKey, parseDataKey, Sealer } from '../privacy/data-key.ts'

export const SIGNATURE_HEADER = 'x-rh-signature'
export const DELIVERY_HEADER = 'x-rh-delivery'
export const TIMESTAMP_HEADER = 'x-rh-timestamp'

export function signBody (secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

/** Constant-time check of a received signature header against the raw body. */
export function verifySignature (secret: string, body: string | Buffer, header: string | undefined): boolean {
  if (header === undefined) return false
  const expected = Buffer.from(signBody(secret, body))
  const got = Buffer.from(header)
  return got.length === expected.length && timingSafeEqual(got, expected)
}

/** 256 random bits, base64url. */
export function newWebhookSecret (): string {
  return `whsec_${randomBytes(32).toString('base64url')}`
}

/**
 * Webhook secrets at rest: sealed under a key derived from the data key. The platform must read them to sign,
 * so they cannot be hashed; a copy of the database alone does not let anyone sign as the platform.
 */
export function webhookSecretSealer (dataKey: string): Sealer {
  return new Sealer(deriveKey(parseDataKey(dataKey), 'rh-webhook-secret-enc-v1'), 'webhook secret')
}
