import Type, { type Static } from 'typebox'
import { DIGEST_LENGTH, DIGEST_PATTERN, KEY_ID_LENGTH, KEY_ID_PATTERN } from '../allowlist-digest.ts'
import { CommandTs, CredentialKind, DateTime, Id, messageOptions, RequestId } from './common.ts'
import { TimeWindowSchema } from './time-window.ts'

// The weekly window lives apart, free of node: imports, so the API contract (contract/) can use it.
export { TIME_OF_DAY_PATTERN, TimeWindowSchema, type TimeWindow } from './time-window.ts'

export const AllowEntrySchema = Type.Object(
  {
    credentialId: Id('Platform id of this allow-list entry; the device echoes it in access events it matches.'),
    kind: CredentialKind(),
    digest: Type.String({
      pattern: DIGEST_PATTERN,
      maxLength: DIGEST_LENGTH,
      description: 'Keyed digest of the credential, never its value: "hmac-sha256:" + base64url (no padding) of the ' +
        'first 16 bytes of HMAC-SHA-256 under the reader\'s allow-list key of the kind, one 0x00 byte and the value ' +
        '(card numbers upper case, a PIN as the lower-case hex SHA-256 of its digits, QR tokens and face references ' +
        'as read). The reader computes the digest of what it reads and looks it up.',
    }),
    validFrom: Type.Optional(DateTime('Not valid before this instant.')),
    validUntil: Type.Optional(DateTime('Not valid from this instant on.')),
    windows: Type.Optional(
      Type.Array(TimeWindowSchema, {
        maxItems: 16,
        description: 'Weekly windows in which the credential opens the door. Absent: at any time.',
      }),
    ),
    visitor: Type.Optional(Type.Boolean({ description: 'A visitor credential (time-limited stay).' })),
  },
  { additionalProperties: false, description: 'One credential allowed to open the doors of the building.' },
)

export const AllowlistSyncSchema = Type.Object(
  {
    requestId: RequestId(),
    ts: CommandTs(),
    mode: Type.Enum(['full', 'delta'], {
      description: '`full`: replace the whole allow-list with `upsert`; `delta`: apply `remove` then `upsert` ' +
        'to the list held at `baseVersion`.',
    }),
    version: Type.Integer({ minimum: 1, description: 'The building allow-list version after applying this command.' }),
    keyId: Type.String({
      pattern: KEY_ID_PATTERN,
      maxLength: KEY_ID_LENGTH,
      description: 'Names the allow-list key the digests were computed with: base64url of the first 9 bytes of ' +
        'HMAC-SHA-256(key, "rh/v1 allowlist key id"). A reader whose own key has another id replies error code ' +
        '"wrong_key" and changes nothing.',
    }),
    baseVersion: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: 'Delta only (required there): the version the delta applies to. A device holding another ' +
          'version replies error code "version_gap" and changes nothing.',
      }),
    ),
    upsert: Type.Array(AllowEntrySchema, {
      description: 'Entries to add or replace (matched by credentialId).',
    }),
    remove: Type.Array(Id('A credentialId to remove.'), {
      uniqueItems: true,
      description: 'credentialIds to remove; unknown ids are ignored. Empty in a full sync.',
    }),
  },
  {
    ...messageOptions('allowlist-sync', 'AllowlistSync', 'Replace or update the credential allow-list the ' +
      'device decides on while offline. Topic rh/v1/{buildingId}/{deviceId}/command/allowlist-sync, QoS 1, ' +
      'not retained.'),
    if: { properties: { mode: { const: 'delta' } } },
    then: {
      description: 'A delta sync carries baseVersion.',
      required: ['baseVersion'],
    },
    else: {
      description: 'A full sync has no baseVersion and an empty remove list.',
      properties: { baseVersion: false, remove: { maxItems: 0 } },
    },
  },
)

export type AllowlistSync = Static<typeof AllowlistSyncSchema>
export type AllowEntry = Static<typeof AllowEntrySchema>
