import Type, { type Static } from 'typebox'
import { CredentialKind, Door, eventFields, Id, messageOptions, Token } from './common.ts'

export const DENY_REASONS = ['unknown_credential', 'expired', 'outside_window', 'revoked', 'wrong_pin', 'other'] as const

export const PresentedCredentialSchema = Type.Object(
  {
    kind: CredentialKind(),
    value: Token('What was read: card number, QR token or face enrolment reference. For `pin` the literal ' +
      '"entered" - the PIN itself is never sent.', { maxLength: 128 }),
    credentialId: Type.Optional(Id('The allow-list entry the device matched; present exactly when it matched one.')),
  },
  {
    additionalProperties: false,
    description: 'The credential presented at the reader.',
    if: { properties: { kind: { const: 'pin' } } },
    then: {
      description: 'For kind "pin", value must be the literal "entered" (never the PIN).',
      properties: { value: { const: 'entered' } },
    },
  },
)

export const AccessEventSchema = Type.Object(
  {
    ...eventFields(),
    door: Door(),
    direction: Type.Enum(['in', 'out'], { description: 'Which side of the door the reader faces: `in` = entering.' }),
    credential: PresentedCredentialSchema,
    result: Type.Enum(['granted', 'denied'], { description: 'The decision the device took locally.' }),
    reason: Type.Optional(
      Type.Enum(DENY_REASONS, {
        description: 'Why access was denied; only with result "denied". `unknown_credential`: not on the ' +
          'allow-list; `expired`: outside validFrom..validUntil; `outside_window`: outside its weekly windows; ' +
          '`revoked`: removed from the allow-list; `wrong_pin`: PIN did not match.',
      }),
    ),
  },
  {
    ...messageOptions('access-event', 'AccessEvent', 'A credential was presented at a reader and the device ' +
      'granted or denied access. Topic rh/v1/{buildingId}/{deviceId}/event/access, QoS 1, not retained.'),
    if: { properties: { result: { const: 'granted' } } },
    then: {
      description: 'A granted access event has no reason.',
      properties: { reason: false },
    },
  },
)

export type AccessEvent = Static<typeof AccessEventSchema>
export type PresentedCredential = Static<typeof PresentedCredentialSchema>
export type DenyReason = (typeof DENY_REASONS)[number]
