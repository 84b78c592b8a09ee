-- QR door plates and patrols (platform/policy/patrols.ts, docs/policy.md).
--
-- House codes: one per building and one per room, random (never derived from
-- an id, never personal data), eight characters of an alphabet without the
-- look-alikes 0/O, 1/I/L, so that a code can be printed, read and typed. A QR
-- plate holds only the code. Existing buildings and rooms get theirs here; new
-- ones get theirs from the triggers below, in the transaction that creates them.
create table if not exists house_codes (
  code text primary key check (code ~ '^[2-9A-HJKMNP-Z]{8}$'),
  building_id text not null references buildings (id),
  room_id text references rooms (id),
  created_at timestamptz not null default now()
);
create unique index if not exists house_codes_building on house_codes (building_id) where room_id is null;
create unique index if not exists house_codes_room on house_codes (room_id) where room_id is not null;

create or replace function new_house_code () returns text language plpgsql as $$
declare
  alphabet constant text := '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
  c text;
begin
  loop
    c := '';
    for i in 1..8 loop
      c := c || substr(alphabet, 1 + floor(random() * length(alphabet))::int, 1);
    end loop;
    exit when not exists (select 1 from house_codes where code = c);
  end loop;
  return c;
end $$;

create or replace function house_code_for_building () returns trigger language plpgsql as $$
begin
  insert into house_codes (code, building_id) values (new_house_code(), new.id);
  return new;
end $$;

create or replace function house_code_for_room () returns trigger language plpgsql as $$
begin
  insert into house_codes (code, building_id, room_id) values (new_house_code(), new.building_id, new.id);
  return new;
end $$;

drop trigger if exists buildings_house_code on buildings;
create trigger buildings_house_code after insert on buildings for each row execute function house_code_for_building();
drop trigger if exists rooms_house_code on rooms;
create trigger rooms_house_code after insert on rooms for each row execute function house_code_for_room();

insert into house_codes (code, building_id)
  select new_house_code(), b.id from buildings b where not exists (select 1 from house_codes h where h.building_id = b.id and h.room_id is null);
insert into house_codes (code, building_id, room_id)
  select new_house_code(), r.building_id, r.id from rooms r where not exists (select 1 from house_codes h where h.room_id = r.id);

-- A patrol: who, when, the plate scanned as proof of presence, the headcount
-- found against the registered count then, the checklist (item -> ok, problem,
-- not_applicable), photo references and the patroller's notes (about people:
-- never shown to the landlord).
create table if not exists patrols (
  id text primary key,
  building_id text not null references buildings (id),
  patroller_id text not null references users (id),
  patrolled_at timestamptz not null,
  code text not null references house_codes (code),
  room_id text references rooms (id),
  headcount integer not null check (headcount between 0 and 10000),
  registered integer not null,
  checklist jsonb not null,
  photo_refs jsonb not null default '[]',
  notes text
);
create index if not exists patrols_building on patrols (building_id, patrolled_at);

-- A finding of a patrol, with its rectification deadline; open until a
-- re-inspection finds it put right.
create table if not exists patrol_findings (
  id text primary key,
  building_id text not null references buildings (id),
  patrol_id text not null references patrols (id),
  room_id text references rooms (id),
  item text not null,
  description text not null,
  deadline date not null,
  found_at timestamptz not null,
  status text not null default 'open' check (status in ('open', 'rectified')),
  closed_at timestamptz,
  check ((status = 'rectified') = (closed_at is not null))
);
create index if not exists patrol_findings_building on patrol_findings (building_id, status);

-- A re-inspection of one finding, on site (the plate scanned): put right
-- (closes the finding) or not yet (it stays open).
create table if not exists finding_reinspections (
  id text primary key,
  finding_id text not null references patrol_findings (id),
  inspector_id text not null references users (id),
  inspected_at timestamptz not null,
  code text not null references house_codes (code),
  rectified boolean not null,
  note text,
  photo_refs jsonb not null default '[]'
);
create index if not exists finding_reinspections_finding on finding_reinspections (finding_id, inspected_at);
