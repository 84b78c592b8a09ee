-- Alerts: one row per condition (the pipeline's dedupKey) while it is live,
-- their append-only history, the webhooks of dispatch centres and the durable
-- outbox their deliveries are drained from (platform/alerts/).

-- Severity order, for "raise if higher" and webhook thresholds.
create function alert_severity_rank(s text) returns integer language sql immutable as $$
  select array_position(array['info', 'warning', 'major', 'critical']::text[], s)
$$;

create table alerts (
  id text primary key,
  -- Insertion order, for keyset pagination.
  seq bigserial not null unique,
  dedup_key text not null,
  type text not null,
  severity text not null check (severity in ('info', 'warning', 'major', 'critical')),
  building_id text not null references buildings (id),
  room_id text,
  door text,
  device_id text,
  credential_id text,
  resident_id text,
  -- Jurisdiction (area ids) and a copy of the building's area path, for routing
  -- to dispatch by prefix without a join.
  district text,
  street text,
  community text,
  grid text,
  area_path text not null,
  status text not null default 'open' check (status in ('open', 'acknowledged', 'resolved')),
  -- Occurrences of the condition folded into this alert.
  count integer not null default 1 check (count >= 1),
  -- Event time (device clock) of the first and the latest occurrence.
  first_at timestamptz not null,
  last_at timestamptz not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  -- `${deviceId}/${eventId}` of the events behind it, most recent last.
  evidence text[] not null default '{}' check (cardinality(evidence) <= 20),
  explanation text not null,
  acknowledged_by text references users (id),
  acknowledged_at timestamptz,
  resolved_by text references users (id),
  resolved_at timestamptz,
  resolution_note text,
  -- Resolved by the platform because the condition cleared.
  auto_resolved boolean not null default false,
  check ((status = 'resolved') = (resolved_at is not null)),
  check (status <> 'acknowledged' or acknowledged_at is not null)
);
-- One live alert per condition; a resolved one frees the key for the next occurrence.
create unique index alerts_live_dedup on alerts (dedup_key) where status <> 'resolved';
create index alerts_building on alerts (building_id, seq);
create index alerts_area on alerts (area_path text_pattern_ops);
create index alerts_status on alerts (status, seq);

-- Every transition of an alert: who, when, what, why. Counter bumps are not
-- transitions and are not recorded here (the alert's count and evidence hold them).
create table alert_events (
  seq bigserial primary key,
  alert_id text not null references alerts (id),
  at timestamptz not null,
  -- null: the platform itself (opened by the pipeline, auto-resolved).
  actor_id text references users (id),
  action text not null check (action in ('opened', 'escalated', 'acknowledged', 'resolved')),
  note text,
  detail jsonb not null default '{}'::jsonb
);
create index alert_events_alert on alert_events (alert_id, seq);
create trigger alert_events_append_only before update or delete on alert_events
  for each row execute function append_only();

-- Dispatch centres' endpoints. The secret is stored as given because it is
-- needed to sign every delivery (HMAC); it is shown once, at creation.
create table webhooks (
  id text primary key,
  url text not null,
  secret text not null,
  -- Alerts of buildings inside this area (prefix of the building's area path).
  area_id text not null references areas (id),
  area_path text not null,
  min_severity text not null default 'info' check (min_severity in ('info', 'warning', 'major', 'critical')),
  created_by text not null references users (id),
  created_at timestamptz not null default now(),
  enabled boolean not null default true,
  deleted_at timestamptz,
  deleted_by text references users (id),
  -- Which dispatcher currently drains this webhook (one at a time keeps the order).
  lease_owner text,
  lease_until timestamptz,
  check (deleted_at is null or not enabled)
);
create index webhooks_area on webhooks (area_path text_pattern_ops) where enabled;

-- Deliveries to make, written in the same transaction as the alert change,
-- drained in seq order per webhook.
create table webhook_outbox (
  seq bigserial primary key,
  webhook_id text not null references webhooks (id),
  alert_id text not null references alerts (id),
  event text not null,
  payload jsonb not null,
  created_at timestamptz not null default now(),
  attempts integer not null default 0,
  -- null: due now.
  next_attempt_at timestamptz,
  delivered_at timestamptz,
  last_status integer,
  last_error text
);
create index webhook_outbox_pending on webhook_outbox (webhook_id, seq) where delivered_at is null;
create index webhook_outbox_delivered on webhook_outbox (delivered_at) where delivered_at is not null;
