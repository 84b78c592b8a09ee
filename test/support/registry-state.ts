// A fingerprint of everything a registry write could change, to check that a
// refused or failed request changed nothing.

import type { Queryable } from '../../platform/store/database.ts'

/** Everything a write could change (alerts and webhooks included), except the audit log (refused reads are audited on purpose). */
export async function registryFingerprint (db: Queryable): Promise<string> {
  const r = await db.query<{ f: string }>(`select concat_ws('|',
    (select count(*) from registry_ledger), (select count(*) from users), (select count(*) from areas),
    (select string_agg(concat_ws(',', id, name, address, grade, responsibility_signed_at, allowlist_version, lat, lon), ';' order by id) from buildings),
    (select string_agg(concat_ws(',', id, capacity), ';' order by id) from rooms),
    (select string_agg(concat_ws(',', id, enabled, approved, secret_hash), ';' order by id) from devices),
    (select string_agg(concat_ws(',', id, name, phone, household_address, employer), ';' order by id) from residents),
    (select string_agg(concat_ws(',', id, status, permit_valid_until, permit_type, permit_lapsed_at, lease_until, departed_at), ';' order by id) from registrations),
    (select string_agg(concat_ws(',', id, status, valid_from, valid_until, windows), ';' order by id) from credentials),
    (select count(*) from building_vendors),
    (select string_agg(concat_ws(',', registration_id, name, phone, household_address, employer), ';' order by registration_id) from registration_details),
    (select string_agg(concat_ws(',', id, status, from_registration_id, due_at, dispute_reason, closed_at), ';' order by id) from moves),
    -- What people did to alerts. The platform opens and resolves alerts on its own
    -- (a reader a test disconnected goes offline), which is not a change a request made.
    (select string_agg(concat_ws(',', alert_id, action, actor_id), ';' order by seq) from alert_events where actor_id is not null),
    (select string_agg(concat_ws(',', id, enabled), ';' order by id) from webhooks),
    (select count(*) from patrols), (select string_agg(concat_ws(',', id, status), ';' order by id) from patrol_findings),
    (select count(*) from finding_reinspections),
    (select string_agg(concat_ws(',', area_id, normal_from, focus_from, strict_from, patrol_normal_days), ';' order by area_id) from area_policy_settings)) as f`)
  return r.rows[0]!.f
}

/**
 * The least a registry needs to hold credentials, for tests of migrations on a bare schema: grid `g`, admin
 * `u`, buildings `b1` and `b2` with room `r1` and `r2`.
 */
export async function seedTwoBuildings (db: Queryable): Promise<void> {
  await db.exec(`insert into areas (id, kind, name, path) values ('g', 'grid', 'g', '/g/');
    insert into users (id, username, display_name, role, password_hash) values ('u', 'u', 'u', 'admin', 'x');
    insert into buildings (id, grid_id, area_path, name, address) values ('b1', 'g', '/g/', 'b1', 'a'), ('b2', 'g', '/g/', 'b2', 'a');
    insert into rooms (id, building_id, number, capacity) values ('r1', 'b1', '1', 2), ('r2', 'b2', '1', 2)`)
}
