-- The start-time rewrite of alerts of before (platform/alerts/legacy-keys.ts)
-- updates each alert's webhook deliveries by alert id: without this index that
-- is one scan of the whole outbox per alert.
create index if not exists webhook_outbox_alert on webhook_outbox (alert_id);

-- One-time upgrades of stored data that need the data key and so run in the
-- platform at start, not in a migration: each records here, in the
-- transaction that finishes it, that it is done, and later starts skip it.
create table if not exists platform_upgrades (
  name text primary key,
  done_at timestamptz not null
);
