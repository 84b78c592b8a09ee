-- Permits, vacancy, monthly reconciliation (platform/policy/permit-watch.ts,
-- vacancy.ts, reconciliation.ts; docs/policy.md).
--
-- A registration's residence permit has a type: `temporary` (临时居住证, six
-- months) or `residence` (居住证, one to three years); null where it was not
-- recorded. `permit_lapsed_at`: when the daily job took the registration's
-- credentials off the readers because the permit ended unrenewed; a renewal
-- clears it and puts them back.
alter table registrations add column if not exists permit_type text check (permit_type in ('temporary', 'residence'));
alter table registrations add column if not exists permit_lapsed_at timestamptz;

-- One reminder per registration, permit end and lead time (30 or 7 days), so
-- each goes out once; a renewal (a new end) gets its own.
create table if not exists permit_reminders (
  registration_id text not null references registrations (id),
  permit_valid_until date not null,
  days_before integer not null check (days_before in (30, 7)),
  building_id text not null references buildings (id),
  created_at timestamptz not null,
  primary key (registration_id, permit_valid_until, days_before)
);
create index if not exists permit_reminders_building on permit_reminders (building_id, created_at);

-- A room (or, with room_id null, a whole house) taken off the rental register
-- after its grid worker confirmed it stood empty.
alter table rooms add column if not exists withdrawn_at timestamptz;
alter table buildings add column if not exists withdrawn_at timestamptz;

-- Rooms and houses with nobody observed and no registration for three months,
-- proposed for deregistration; the grid worker of the grid decides.
create table if not exists vacancy_proposals (
  id text primary key,
  building_id text not null references buildings (id),
  room_id text references rooms (id),
  status text not null default 'proposed' check (status in ('proposed', 'confirmed', 'rejected', 'superseded')),
  vacant_since timestamptz not null,
  last_seen_at timestamptz,
  proposed_at timestamptz not null,
  decided_at timestamptz,
  decided_by text references users (id),
  note text,
  check ((status in ('confirmed', 'rejected')) = (decided_by is not null)),
  check ((status = 'proposed') = (decided_at is null))
);
create unique index if not exists vacancy_proposals_one_waiting on vacancy_proposals (building_id, coalesce(room_id, '')) where status = 'proposed';
create index if not exists vacancy_proposals_building on vacancy_proposals (building_id, proposed_at);

-- The monthly lists to reconcile: one per landlord and one per grid a month,
-- each item confirmed or corrected, the list signed off as a whole.
create table if not exists reconciliations (
  id text primary key,
  month text not null check (month ~ '^[0-9]{4}-[0-9]{2}$'),
  scope text not null check (scope in ('landlord', 'grid')),
  -- The landlord's user id, or the grid's area id.
  scope_id text not null,
  created_at timestamptz not null,
  signed_off_at timestamptz,
  signed_off_by text references users (id),
  check ((signed_off_at is null) = (signed_off_by is null)),
  unique (month, scope, scope_id)
);

create table if not exists reconciliation_items (
  id text primary key,
  reconciliation_id text not null references reconciliations (id),
  kind text not null check (kind in ('permit_expired', 'not_seen', 'vacant_room')),
  building_id text not null references buildings (id),
  room_id text not null references rooms (id),
  registration_id text references registrations (id),
  -- When it began: the permit's last day, the last passage, the room empty since.
  since text,
  outcome text check (outcome in ('confirmed', 'corrected')),
  note text,
  decided_at timestamptz,
  decided_by text references users (id),
  check ((outcome is null) = (decided_at is null)),
  check (outcome <> 'corrected' or note is not null)
);
create index if not exists reconciliation_items_list on reconciliation_items (reconciliation_id);
create index if not exists reconciliation_items_building on reconciliation_items (building_id);

-- Which buildings have been listed for a month (in the building's time zone), so each is listed once.
create table if not exists reconciliation_listings (
  month text not null,
  building_id text not null references buildings (id),
  listed_at timestamptz not null,
  primary key (month, building_id)
);
