-- The landlord's tools (platform/registry/landlord-*.ts, docs/api.md "Landlord").
--
-- A building's time zone (IANA name): its readers' weekly windows, the
-- consoles' times and the register's dates are read in it.
alter table buildings add column if not exists time_zone text not null default 'Asia/Shanghai';

-- Enrolment references: a presentation of an unknown card at a building's door,
-- named by an opaque token for a short while, so that the landlord can enrol the
-- card that was just swiped without seeing its number. One reference per
-- presentation (the event's log position); it names the event, never the value.
create table if not exists enrolment_refs (
  ref text primary key,
  building_id text not null references buildings (id) on delete cascade,
  log_seq bigint not null,
  expires_at timestamptz not null,
  unique (building_id, log_seq)
);
create index if not exists enrolment_refs_expires on enrolment_refs (expires_at);

-- Previews of a bulk import of tenants: the parsed rows, sealed under the data
-- key (they hold ID numbers), until they are committed or expire.
create table if not exists import_previews (
  id text primary key,
  building_id text not null references buildings (id) on delete cascade,
  created_by text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  rows_sealed text not null,
  committed_at timestamptz
);
create index if not exists import_previews_expires on import_previews (expires_at);
