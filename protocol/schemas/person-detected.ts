import Type, { type Static } from 'typebox'
import { Door, eventFields, messageOptions, Token } from './common.ts'

export const PersonDetectedSchema = Type.Object(
  {
    ...eventFields(),
    door: Type.Optional(Door('The door the detection area belongs to, if any.')),
    zone: Type.Optional(Token('Detection zone name set on the camera.', { maxLength: 64 })),
    count: Type.Integer({ minimum: 1, description: 'People detected in the frame.' }),
    confidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Detector confidence, 0..1.' })),
    snapshot: Type.Optional(
      Token('Reference (URI or NVR recording id) to a snapshot kept on the device or NVR. Never the ' +
        'image itself: `data:` URIs are refused.', { maxLength: 1024, notStarting: '[Dd][Aa][Tt][Aa]:' }),
    ),
  },
  messageOptions('person-detected', 'PersonDetected', 'A camera detected one or more people. Topic ' +
    'rh/v1/{buildingId}/{deviceId}/event/person, QoS 1, not retained.'),
)

export type PersonDetected = Static<typeof PersonDetectedSchema>
