-- The KPIs (platform/policy/kpis.ts, docs/policy.md "KPIs").
--
-- What the KPI log reader (platform/policy/kpi-log-reader.ts) derives from the
-- event log, in the transaction that moves its row of log_reader_progress, so
-- each event counts once. Rebuilt from the log by setting that row back to 0
-- and emptying these two tables.

-- A registration's latest passage with its holder's own credential at the
-- building it is registered in.
create table if not exists kpi_own_passages (
  registration_id text primary key references registrations (id),
  building_id text not null references buildings (id) on delete cascade,
  last_at timestamptz not null
);
create index if not exists kpi_own_passages_building on kpi_own_passages (building_id);

-- Per building, door and local day: people the door's camera counted in and
-- entries a credential granted. The entries above the granted ones are
-- unexplained (tailgating), the evidence of unregistered occupants.
create table if not exists kpi_door_days (
  building_id text not null references buildings (id) on delete cascade,
  day date not null,
  door text not null,
  counted_in integer not null default 0,
  granted_in integer not null default 0,
  primary key (building_id, day, door)
);

-- The daily snapshot: one row per KPI and subject (a building, or an area of
-- any level), written by the KPI snapshot job for the local day it ran.
create table if not exists kpi_snapshots (
  day date not null,
  subject_kind text not null check (subject_kind in ('building', 'district', 'street', 'community', 'grid')),
  subject_id text not null,
  kpi text not null,
  numerator double precision not null check (numerator >= 0),
  denominator double precision not null check (denominator >= 0),
  created_at timestamptz not null default now(),
  primary key (subject_id, kpi, day)
);
create index if not exists kpi_snapshots_day on kpi_snapshots (day);

-- The monthly report: the month's snapshots added up (numerators over
-- denominators, each day weighing the same), written after the month ends.
create table if not exists kpi_reports (
  month text not null check (month ~ '^[0-9]{4}-[0-9]{2}$'),
  subject_kind text not null check (subject_kind in ('building', 'district', 'street', 'community', 'grid')),
  subject_id text not null,
  kpi text not null,
  numerator double precision not null,
  denominator double precision not null,
  days integer not null,
  created_at timestamptz not null default now(),
  primary key (subject_id, kpi, month)
);
