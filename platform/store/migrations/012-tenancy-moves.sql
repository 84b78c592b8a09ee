-- One landlord's action never changes another landlord's tenants.
--
-- A person found registered in a building the registering person may not
-- change gets a `pending` registration: it waits until the side of the stay
-- they are leaving confirms the move (or the jurisdiction of that building
-- decides), and becomes `active` in the same transaction that ends the old
-- stay, so a person keeps one active stay at a time. A pending registration
-- that never becomes a stay ends `cancelled`. Its credentials wait as
-- `pending` too: issued, holding their value in the building, but on no
-- reader (and in no allow-list version) until the registration is active.

alter table registrations drop constraint registrations_status_check;
alter table registrations add constraint registrations_status_check
  check (status in ('pending', 'active', 'departed', 'cancelled'));

create or replace function registrations_guard() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    raise exception 'registrations are history and cannot be deleted' using errcode = '55000';
  end if;
  if old.status = 'departed' then
    raise exception 'a departed registration cannot change' using errcode = '55000';
  end if;
  if old.status = 'cancelled' then
    raise exception 'a cancelled registration cannot change' using errcode = '55000';
  end if;
  if new.status <> old.status
     and not ((old.status = 'pending' and new.status in ('active', 'cancelled')) or (old.status = 'active' and new.status = 'departed')) then
    raise exception 'a registration goes from pending to active or cancelled, and from active to departed' using errcode = '55000';
  end if;
  if new.resident_id <> old.resident_id or new.room_id <> old.room_id or new.building_id <> old.building_id
     or new.arrived_at <> old.arrived_at or new.registered_by <> old.registered_by then
    raise exception 'who, where and when of a registration cannot change' using errcode = '55000';
  end if;
  return new;
end $$;

alter table credentials drop constraint credentials_status_check;
alter table credentials add constraint credentials_status_check check (status in ('pending', 'active', 'revoked'));
-- A pending credential holds its value, so that activating it can never collide.
drop index credentials_active_value;
create unique index credentials_active_value on credentials (building_id, kind, value) where status in ('pending', 'active');

-- What the registering person entered about the person, kept with each
-- registration: one landlord's entry never overwrites another's, and each
-- reader is shown what was entered in their own scope. `residents` keeps the
-- entry of the person's current stay.
create table registration_details (
  registration_id text primary key references registrations (id),
  name text not null,
  phone text,
  household_address text,
  employer text
);
insert into registration_details (registration_id, name, phone, household_address, employer)
  select g.id, p.name, p.phone, p.household_address, p.employer from registrations g join residents p on p.id = g.resident_id;

-- A move waiting between two stays: `from` the person's active stay, `to` the
-- pending registration. `requested_at` is when the current from-side was asked
-- and `due_at` when its time to answer runs out; decisions are computed from
-- these stored times, never from timers, so a restart changes nothing.
create table moves (
  id text primary key,
  resident_id text not null references residents (id),
  from_registration_id text not null references registrations (id),
  from_building_id text not null references buildings (id),
  to_registration_id text not null unique references registrations (id),
  to_building_id text not null references buildings (id),
  status text not null default 'waiting'
    check (status in ('waiting', 'disputed', 'confirmed', 'decided_moved', 'decided_stays', 'withdrawn', 'released')),
  requested_by text not null references users (id),
  created_at timestamptz not null,
  requested_at timestamptz not null,
  due_at timestamptz not null,
  dispute_reason text,
  disputed_by text references users (id),
  disputed_at timestamptz,
  closed_by text references users (id),
  closed_at timestamptz,
  close_reason text,
  check ((status in ('waiting', 'disputed')) = (closed_at is null)),
  check (status <> 'disputed' or disputed_at is not null)
);
create index moves_open_from on moves (from_registration_id) where status in ('waiting', 'disputed');
create index moves_from_building on moves (from_building_id, status);
create index moves_to_building on moves (to_building_id, status);
