-- The house-grade settings of a jurisdiction (platform/policy/area-policy.ts,
-- docs/policy.md): the lowest score of each grade after 放心, the colour each
-- grade is shown in, and how often a house of each grade is patrolled (days;
-- `patrol_finding_open_days` while a patrol finding of the house is open). An
-- area without a row takes the settings of the nearest area above it that has
-- one, else the platform's defaults. A row is the whole set, never a part.
create table if not exists area_policy_settings (
  area_id text primary key references areas (id),
  normal_from numeric not null,
  focus_from numeric not null,
  strict_from numeric not null,
  colour_trusted text not null,
  colour_normal text not null,
  colour_focus text not null,
  colour_strict text not null,
  patrol_trusted_days integer not null check (patrol_trusted_days > 0),
  patrol_normal_days integer not null check (patrol_normal_days > 0),
  patrol_focus_days integer not null check (patrol_focus_days > 0),
  patrol_strict_days integer not null check (patrol_strict_days > 0),
  patrol_finding_open_days integer not null check (patrol_finding_open_days > 0),
  updated_at timestamptz not null,
  updated_by text not null references users (id),
  check (0 < normal_from and normal_from < focus_from and focus_from < strict_from)
);
