-- Grade proposals (platform/policy/grade-proposals.ts, docs/policy.md): the
-- grade a house's score proposes, with the score and its points as they were,
-- waiting for police to confirm or reject it. A person decides; the platform
-- only proposes. At most one proposal per building waits at a time; a newer
-- one, or the score coming back to the grade the house has, supersedes it.
create table if not exists grade_proposals (
  id text primary key,
  building_id text not null references buildings (id),
  from_grade text not null check (from_grade in ('trusted', 'normal', 'focus', 'strict')),
  to_grade text not null check (to_grade in ('trusted', 'normal', 'focus', 'strict')),
  score numeric not null,
  points jsonb not null,
  status text not null default 'proposed' check (status in ('proposed', 'confirmed', 'rejected', 'superseded')),
  proposed_at timestamptz not null,
  -- Null: the daily job proposed it.
  proposed_by text references users (id),
  decided_at timestamptz,
  decided_by text references users (id),
  note text,
  check (from_grade <> to_grade),
  check ((status in ('confirmed', 'rejected')) = (decided_by is not null)),
  check ((status = 'proposed') = (decided_at is null))
);
create unique index if not exists grade_proposals_one_waiting on grade_proposals (building_id) where status = 'proposed';
create index if not exists grade_proposals_building on grade_proposals (building_id, proposed_at);
