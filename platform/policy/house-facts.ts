// What the house score is computed from, read from the registry and the
// alerts of one building: its devices (offline while a device_offline alert
// is open, or disabled), the agreement, the registrations of the scoring period, the
// not-seen suggestions, the expired permits, the alerts, the patrol findings
// still open and the last patrol's checklist. No names: ids only.

import type { HouseFacts, ScoreParams } from './house-score.ts'
import type { AlertType, ClosureReason, ReaderFacing } from '../../contract/vocabulary.ts'
import type { Queryable } from '../store/database.ts'
import type { BuildingRow } from '../registry/buildings.ts'
import { localDate } from '../registry/time-zones.ts'
import { readPatrolFacts } from './patrol-findings.ts'

const DAY = 86_400_000

/** The longest lifetime of any cause: older happenings can score nothing. */
export function lookbackDays (params: ScoreParams): number {
  return Math.max(...Object.values(params.weights).map((w) => w.lifetimeDays ?? 0))
}

export async function readHouseFacts (db: Queryable, building: BuildingRow, at: number, params: ScoreParams): Promise<HouseFacts> {
  const since = new Date(at - lookbackDays(params) * DAY)
  const id = building.id
  const [devices, offline, registrations, notSeen, permits, alerts, patrols] = await Promise.all([
    db.query<{ id: string; kind: 'reader' | 'camera'; door: string; enabled: boolean; faces: ReaderFacing | null }>(
      'select id, kind, door, enabled, faces from devices where building_id = $1 order by id', [id]),
    db.query<{ device_id: string }>(
      `select distinct device_id from alerts where building_id = $1 and type = 'device_offline' and status <> 'resolved' and device_id is not null`, [id]),
    db.query<{ id: string; arrived_at: Date; created_at: Date }>(
      'select id, arrived_at, created_at from registrations where building_id = $1 and created_at >= $2', [id, since]),
    db.query<{ registration_id: string | null; created_at: Date }>(
      `select (select g.id from registrations g where g.resident_id = a.resident_id and g.building_id = a.building_id and g.status = 'active' limit 1) as registration_id,
              a.created_at
         from alerts a where a.building_id = $1 and a.type = 'resident_not_seen' and a.status <> 'resolved'`, [id]),
    db.query<{ id: string; permit_valid_until: string }>(
      `select id, permit_valid_until::text as permit_valid_until from registrations
        where building_id = $1 and status = 'active' and permit_valid_until < $2::date`, [id, localDate(at, building.time_zone)]),
    db.query<{ id: string; type: AlertType; created_at: Date; resolved_at: Date | null; closure_reason: ClosureReason | null }>(
      `select id, type, created_at, resolved_at, closure_reason from alerts
        where building_id = $1 and (status <> 'resolved' or resolved_at >= $2)`, [id, since]),
    readPatrolFacts(db, id),
  ])
  const down = new Set(offline.rows.map((r) => r.device_id))
  return {
    at,
    devices: devices.rows.map((d) => ({ id: d.id, kind: d.kind, door: d.door, enabled: d.enabled, online: d.enabled && !down.has(d.id), faces: d.faces })),
    agreementSignedAt: building.responsibility_signed_at === null ? null : new Date(building.responsibility_signed_at).getTime(),
    onPlatformSince: new Date(building.created_at).getTime(),
    registrations: registrations.rows.map((r) => ({ id: r.id, arrivedAt: new Date(r.arrived_at).getTime(), enteredAt: new Date(r.created_at).getTime() })),
    notSeen: notSeen.rows.flatMap((r) => r.registration_id === null ? [] : [{ registrationId: r.registration_id, since: new Date(r.created_at).getTime() }]),
    // The permit's last day has ended at the start of the next day in the building's zone; the date is near enough here.
    expiredPermits: permits.rows.map((r) => ({ registrationId: r.id, endedOn: Date.parse(`${r.permit_valid_until}T00:00:00Z`) + DAY })),
    alerts: alerts.rows.map((a) => ({
      id: a.id, type: a.type, openedAt: new Date(a.created_at).getTime(),
      resolvedAt: a.resolved_at === null ? null : new Date(a.resolved_at).getTime(), closureReason: a.closure_reason,
    })),
    ...patrols,
  }
}
