// The words the API and the consoles share: every closed set of values a
// request or a response may carry. One list each; the platform's types and
// the REST schemas are derived from these, so a new value is added once.

import { CREDENTIAL_KINDS } from '../protocol/schemas/common.ts'

export { CREDENTIAL_KINDS }
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number]
export { ALERT_CHANGE_KINDS } from '../protocol/topics.ts'

// ---------------------------------------------------------------- people and places
export const ROLES = ['admin', 'landlord', 'grid_worker', 'police', 'vendor'] as const
export type Role = (typeof ROLES)[number]

/** District -> street -> community -> grid. */
export const AREA_KINDS = ['district', 'street', 'community', 'grid'] as const
export type AreaKind = (typeof AREA_KINDS)[number]

/** How closely a building is watched. */
export const GRADES = ['trusted', 'normal', 'focus', 'strict'] as const
export type Grade = (typeof GRADES)[number]

/** The dimensions of a house's score (docs/policy.md): a house is scored, never a person. */
export const SCORE_DIMENSIONS = ['hardware', 'compliance', 'hazards', 'safety'] as const
export type ScoreDimension = (typeof SCORE_DIMENSIONS)[number]

/** Why a house has points (docs/policy.md, "The house score"). */
export const SCORE_CAUSES = [
  // hardware
  'device_offline', 'device_tampered', 'no_door_camera', 'no_exit_reader',
  // compliance
  'agreement_unsigned', 'registration_late', 'not_seen_ignored', 'permit_expired',
  // hazards
  'overcrowding_registered', 'overcrowding_observed', 'unexplained_entries', 'door_forced', 'unregistered_cards', 'card_misuse', 'visitor_overstay',
  // safety
  'patrol_finding_open', 'patrol_checklist_problem',
] as const
export type ScoreCause = (typeof SCORE_CAUSES)[number]

/** What a patrol checks at a house (docs/policy.md, "Patrols"). */
export const PATROL_CHECKLIST_ITEMS = ['extinguisher', 'smoke_detector', 'escape_route', 'partitions', 'ebike_charging', 'wiring', 'occupancy'] as const
export type PatrolChecklistItem = (typeof PATROL_CHECKLIST_ITEMS)[number]

/** How one checklist item was found. */
export const CHECK_OUTCOMES = ['ok', 'problem', 'not_applicable'] as const
export type CheckOutcome = (typeof CHECK_OUTCOMES)[number]

/** What a patrol finding is about: a checklist item, or something else at the house. */
export const FINDING_ITEMS = [...PATROL_CHECKLIST_ITEMS, 'other'] as const
export type FindingItem = (typeof FINDING_ITEMS)[number]

export const FINDING_STATUSES = ['open', 'rectified'] as const
export type FindingStatus = (typeof FINDING_STATUSES)[number]
/** The city plans' KPIs (docs/policy.md, "KPIs"), measured from the doors and the registry. */
export const KPI_IDS = [
  'registration_rate', 'timely_deregistration', 'household_consistency', 'rental_registration', 'agreement_rate', 'entry_timeliness',
  'reconciled_share',
] as const
export type KpiId = (typeof KPI_IDS)[number]

export const ID_TYPES = [
  'resident_id', // 18-character PRC resident identity card
  'hk_macao_tw_residence_permit', // residence permit for Hong Kong, Macao and Taiwan residents (83/81/82...)
  'foreign_permanent_resident', // foreigner's permanent residence ID card (2023 format starts with 9; old: 3 letters + 12 digits)
  'passport',
  'hk_macao_pass', // mainland travel permit for Hong Kong and Macao residents
  'tw_pass', // mainland travel permit for Taiwan residents
] as const
export type IdType = (typeof ID_TYPES)[number]

export const SEXES = ['male', 'female'] as const
export type Sex = (typeof SEXES)[number]

export const REGISTRATION_STATUSES = ['pending', 'active', 'departed', 'cancelled'] as const
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number]

export const MOVE_STATUSES = ['waiting', 'disputed', 'confirmed', 'decided_moved', 'decided_stays', 'withdrawn', 'released'] as const
export type MoveStatus = (typeof MOVE_STATUSES)[number]

export const MOVE_ACTIONS = ['confirm', 'dispute', 'decide', 'withdraw'] as const
export type MoveAction = (typeof MOVE_ACTIONS)[number]

// ---------------------------------------------------------------- credentials and devices
export const CREDENTIAL_STATUSES = ['pending', 'active', 'revoked'] as const
export type CredentialStatus = (typeof CREDENTIAL_STATUSES)[number]

export const DEVICE_KINDS = ['reader', 'camera'] as const
export type DeviceKind = (typeof DEVICE_KINDS)[number]

/** Which side of its door a reader reads: people coming in, going out, or both (the default). Cameras have none. */
export const READER_FACINGS = ['in', 'out', 'both'] as const
export type ReaderFacing = (typeof READER_FACINGS)[number]

/**
 * What a device gets of its building's allow-list: `receives`; `awaiting_approval` (a vendor provisioned it);
 * `needs_key` (a reader provisioned before protocol revision 2: rotate its secret); `disabled`; `none` (a camera).
 */
export const ALLOWLIST_STATUSES = ['receives', 'awaiting_approval', 'needs_key', 'disabled', 'none'] as const
export type AllowlistStatus = (typeof ALLOWLIST_STATUSES)[number]

/** What a rotation does with a reader's allow-list key: issue a new one (the default) or keep the one it holds. */
export const KEY_ROTATIONS = ['new', 'keep'] as const
export type KeyRotation = (typeof KEY_ROTATIONS)[number]

/** A door command's state as the API reports it. */
export const COMMAND_STATUSES = ['sent', 'ok', 'error', 'no_reply'] as const
export type CommandStatus = (typeof COMMAND_STATUSES)[number]

// ---------------------------------------------------------------- alerts
export const ALERT_TYPES = [
  'unknown_credential', // presented at a door, registered nowhere
  'foreign_credential', // registered to another building
  'expired_credential', // registration ended, credential revoked, or validity/permit over
  'outside_window', // outside the credential's weekly time windows
  'tailgating', // camera counted more people in than granted credentials explain
  'overcrowding_registered', // more active registrations than room capacity
  'overcrowding_observed', // more people observed present than capacity
  'visitor_overstay', // visitor credential still inside past the allowed stay
  'resident_not_seen', // registered resident not seen for N days: suggest deregistration
  'room_vacant', // nobody registered or seen for N days
  'repeated_denials', // N denials in a row at a door or with one credential
  'impossible_travel', // one card or code at two buildings sooner than anyone could travel between them: a copy
  'door_forced',
  'door_held_open',
  'tamper',
  'device_offline',
  'clock_drift',
  'reader_not_updated', // a reader that served its building cannot receive its allow-list (raised beside the allow-list pusher, not by a rule)
] as const
export type AlertType = (typeof ALERT_TYPES)[number]

/**
 * Conditions that hold for a while (a room overcrowded, a device offline):
 * raised once when they begin and resolved by the platform when they end.
 * The other types are incidents: every occurrence counts on the alert and
 * people resolve it. `reader_not_updated` is a condition too, but the
 * allow-list side raises and resolves it (platform/allowlist/), not a rule.
 */
export const LEVEL_ALERT_TYPES: ReadonlySet<string> = new Set<AlertType>([
  'overcrowding_registered', 'overcrowding_observed', 'visitor_overstay', 'resident_not_seen', 'room_vacant',
  'door_held_open', 'device_offline', 'clock_drift',
])

/** Lowest first: severityRank orders by this. */
export const SEVERITIES = ['info', 'warning', 'major', 'critical'] as const
export type Severity = (typeof SEVERITIES)[number]

export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s)

export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const
export type AlertStatus = (typeof ALERT_STATUSES)[number]

/** Entries of an alert's history. */
export const ALERT_ACTIONS = ['opened', 'escalated', 'changed', 'acknowledged', 'resolved',
  'assigned', 'feedback', 'verified', 'verification_rejected', 'commented', 'escalated_to_parent'] as const
export type AlertAction = (typeof ALERT_ACTIONS)[number]

export const WEBHOOK_EVENTS = ['alert.opened', 'alert.escalated', 'alert.changed', 'alert.acknowledged', 'alert.resolved',
  'alert.assigned', 'alert.feedback', 'alert.verified', 'alert.verification_rejected', 'alert.commented', 'alert.escalated_to_parent'] as const
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number]

/** What a webhook receives: alert changes, registry changes (the population feed), or both. */
export const WEBHOOK_SUBSCRIPTIONS = ['alerts', 'registry'] as const
export type WebhookSubscription = (typeof WEBHOOK_SUBSCRIPTIONS)[number]

/**
 * Where an alert stands in the handling workflow of the city plans: 发现上报 reported, 指挥派遣 dispatched
 * (assigned to a grid worker), 处置反馈 feedback (the assignee reported from the site), 任务核查 verified
 * (police or an administrator accepted the feedback), 事件归档 archived (resolved).
 */
export const ALERT_STAGES = ['reported', 'dispatched', 'feedback', 'verified', 'archived'] as const
export type AlertStage = (typeof ALERT_STAGES)[number]

/** Why a person closed an alert (POST /alerts/{id}/resolve). */
export const CLOSURE_REASONS = ['real', 'false_alarm', 'technical_fault', 'duplicate'] as const
export type ClosureReason = (typeof CLOSURE_REASONS)[number]

/** Why the platform ended a live stream (`event: close`). */
export const STREAM_CLOSE_REASONS = ['slow_consumer', 'server_shutdown', 'session_ended', 'client_disconnected'] as const
export type StreamCloseReason = (typeof STREAM_CLOSE_REASONS)[number]

// ---------------------------------------------------------------- health
export const HEALTH_REASONS = ['journal_failed', 'event_log_full', 'event_copy_behind', 'alert_commit_behind', 'pipeline_stopped'] as const
export type HealthReason = (typeof HEALTH_REASONS)[number]
