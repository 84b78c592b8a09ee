-- The registry: geography, buildings and rooms, residents and their
-- registrations, credentials, devices, people who use the platform, and the
-- append-only ledger and audit log.

-- District -> street -> community -> grid. `path` is '/<district>/<street>/.../'
-- so that "everything inside area X" is a prefix match.
create table areas (
  id text primary key,
  parent_id text references areas (id),
  kind text not null check (kind in ('district', 'street', 'community', 'grid')),
  name text not null,
  path text not null unique,
  created_at timestamptz not null default now()
);

create table users (
  id text primary key,
  username text not null unique,
  display_name text not null,
  role text not null check (role in ('admin', 'landlord', 'grid_worker', 'police', 'vendor')),
  -- Jurisdiction of grid workers and police.
  area_id text references areas (id),
  -- The company a vendor account represents.
  organisation text,
  password_hash text not null,
  disabled boolean not null default false,
  created_at timestamptz not null default now(),
  check ((role in ('grid_worker', 'police')) = (area_id is not null))
);

create table sessions (
  token_hash text primary key,
  user_id text not null references users (id),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index sessions_user on sessions (user_id);

create table buildings (
  id text primary key,
  grid_id text not null references areas (id),
  -- Copy of the grid's path, for scope filters without a join.
  area_path text not null,
  landlord_id text references users (id),
  name text not null,
  address text not null,
  grade text not null default 'normal' check (grade in ('trusted', 'normal', 'focus', 'strict')),
  responsibility_signed_at timestamptz,
  allowlist_version integer not null default 1,
  created_at timestamptz not null default now()
);
create index buildings_landlord on buildings (landlord_id);
create index buildings_area_path on buildings (area_path text_pattern_ops);

-- Vendors a landlord or admin allowed to provision devices in a building.
create table building_vendors (
  building_id text not null references buildings (id),
  vendor_id text not null references users (id),
  granted_by text not null references users (id),
  granted_at timestamptz not null default now(),
  primary key (building_id, vendor_id)
);

create table rooms (
  id text primary key,
  building_id text not null references buildings (id),
  number text not null,
  capacity integer not null check (capacity between 1 and 100),
  created_at timestamptz not null default now(),
  unique (building_id, number)
);

-- One row per person, found again by the keyed hash of the ID number. The
-- number itself is kept only encrypted; `id_masked` is what is displayed.
create table residents (
  id text primary key,
  name text not null,
  id_type text not null,
  id_hash text not null unique,
  id_cipher text not null,
  id_masked text not null,
  sex text check (sex in ('male', 'female')),
  birth_date date,
  phone text,
  household_address text,
  employer text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- A stay in a room, hotel style: created on arrival, closed on departure,
-- never reopened or rewritten.
create table registrations (
  id text primary key,
  resident_id text not null references residents (id),
  room_id text not null references rooms (id),
  building_id text not null references buildings (id),
  status text not null default 'active' check (status in ('active', 'departed')),
  arrived_at timestamptz not null,
  permit_valid_until date,
  lease_until date,
  minors integer not null default 0 check (minors between 0 and 20),
  registered_by text not null references users (id),
  departed_at timestamptz,
  departure_reason text,
  deregistered_by text references users (id),
  created_at timestamptz not null default now(),
  check ((status = 'departed') = (departed_at is not null)),
  check (departed_at is null or departed_at >= arrived_at)
);
-- A person lives in one room at a time.
create unique index registrations_one_active on registrations (resident_id) where status = 'active';
create index registrations_room on registrations (room_id, status);
create index registrations_building on registrations (building_id, status);

create function registrations_guard() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    raise exception 'registrations are history and cannot be deleted' using errcode = '55000';
  end if;
  if old.status = 'departed' then
    raise exception 'a departed registration cannot change' using errcode = '55000';
  end if;
  if new.resident_id <> old.resident_id or new.room_id <> old.room_id or new.building_id <> old.building_id
     or new.arrived_at <> old.arrived_at or new.registered_by <> old.registered_by then
    raise exception 'who, where and when of a registration cannot change' using errcode = '55000';
  end if;
  return new;
end $$;
create trigger registrations_guard before update or delete on registrations
  for each row execute function registrations_guard();

create table credentials (
  id text primary key,
  building_id text not null references buildings (id),
  room_id text not null references rooms (id),
  registration_id text references registrations (id),
  kind text not null check (kind in ('card', 'ic_card', 'qr', 'face', 'pin')),
  -- Card number, QR token, face enrolment reference; for a PIN 'sha256:<hex>'.
  value text not null,
  valid_from timestamptz,
  valid_until timestamptz,
  windows jsonb,
  visitor boolean not null default false,
  visitor_name text,
  status text not null default 'active' check (status in ('active', 'revoked')),
  issued_by text not null references users (id),
  issued_at timestamptz not null default now(),
  revoked_at timestamptz,
  revoked_by text references users (id),
  revoke_reason text,
  check ((status = 'revoked') = (revoked_at is not null)),
  check (visitor or registration_id is not null)
);
-- One active credential per value and kind in a building.
create unique index credentials_active_value on credentials (building_id, kind, value) where status = 'active';
create index credentials_registration on credentials (registration_id);

create table devices (
  id text primary key,
  building_id text not null references buildings (id),
  door text not null,
  kind text not null check (kind in ('reader', 'camera')),
  vendor text not null,
  model text not null,
  -- 'sha256:<hex>' of the secret shown once at provisioning.
  secret_hash text not null,
  enabled boolean not null default true,
  provisioned_by text not null references users (id),
  created_at timestamptz not null default now(),
  secret_rotated_at timestamptz
);
create index devices_building on devices (building_id);

-- Every change to who lives where and who may open which door, in order.
create table registry_ledger (
  seq bigserial primary key,
  at timestamptz not null default now(),
  actor_id text not null,
  action text not null,
  building_id text,
  room_id text,
  resident_id text,
  registration_id text,
  credential_id text,
  device_id text,
  detail jsonb not null default '{}'::jsonb
);
create index registry_ledger_building on registry_ledger (building_id, seq);

-- Who read or did what with personal data and access rights.
create table audit_log (
  seq bigserial primary key,
  at timestamptz not null default now(),
  actor_id text,
  actor_role text,
  action text not null,
  subject_type text,
  subject_id text,
  ip text,
  detail jsonb not null default '{}'::jsonb
);
create index audit_log_subject on audit_log (subject_type, subject_id);

create function append_only() returns trigger language plpgsql as $$
begin
  raise exception '% is append-only', tg_table_name using errcode = '55000';
end $$;
create trigger registry_ledger_append_only before update or delete on registry_ledger
  for each row execute function append_only();
create trigger audit_log_append_only before update or delete on audit_log
  for each row execute function append_only();
