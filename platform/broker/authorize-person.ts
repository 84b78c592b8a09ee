// What a person (dispatch centre) may receive. Default deny; pure functions
// the subscribe and forward hooks call for person connections.
//
// SUBSCRIBE: a filter inside the alert tree and inside the person's area:
//   `rh-alerts/v1/`, then exactly the area ids of the person's area path
//   (administrators: none), then levels that are each a valid id or `+`,
//   optionally ending with `#` [MQTT-4.7.1-2, MQTT-4.7.1-3]; without `#` it
//   must have the depth of an alert topic (a shorter one matches nothing).
//   So police of `/d1/s1/` may use `rh-alerts/v1/d1/s1/#` or
//   `rh-alerts/v1/d1/s1/c1/+/+`, never `rh-alerts/v1/d1/#`, `rh-alerts/v1/+/s1/#`,
//   `rh-alerts/#`, `#` or a device topic. Refused filters get SUBACK 0x80.
// FORWARD: only alert topics whose area path starts with the person's area
//   path (administrators: any alert topic), whatever the subscription.
// PUBLISH: nothing (authorize-publish.ts closes the connection).

import { ALERT_TOPIC_LEVELS, ALERT_TOPIC_ROOT, alertTopicAreaPath, areaPathIds, isValidId, parseAlertTopic } from '../../protocol/index.ts'
import type { PersonIdentity } from './device-session.ts'

type Scope = Pick<PersonIdentity, 'areaPath'>

const ROOT_LEVELS = ALERT_TOPIC_ROOT.split('/')

/** True when every topic `filter` can match is an alert topic inside the person's area. */
export function personMaySubscribe (person: Scope, filter: string): boolean {
  const levels = filter.split('/')
  if (levels.length > ALERT_TOPIC_LEVELS) return false
  const prefix = [...ROOT_LEVELS, ...scopeIds(person)]
  if (levels.length < prefix.length) return false
  for (let i = 0; i < prefix.length; i++) if (levels[i] !== prefix[i]) return false
  for (let i = prefix.length; i < levels.length; i++) {
    const level = levels[i]!
    if (level === '#') return i === levels.length - 1
    if (level !== '+' && !isValidId(level)) return false
  }
  return levels.length === ALERT_TOPIC_LEVELS
}

/** True when `topic` is an alert topic inside the person's area. */
export function personMayReceive (person: Scope, topic: string): boolean {
  const parsed = parseAlertTopic(topic)
  if (parsed === null) return false
  return person.areaPath === null || alertTopicAreaPath(parsed).startsWith(person.areaPath)
}

/** The area ids of the person's scope; none for administrators. Malformed: a level no filter can equal. */
function scopeIds (person: Scope): string[] {
  if (person.areaPath === null) return []
  return areaPathIds(person.areaPath) ?? ['/']
}
