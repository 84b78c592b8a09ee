-- Data exchange with other departments (platform/exchange/, docs/api.md#data-exchange).
-- A webhook now chooses what it receives: alerts, registry changes, or both;
-- existing webhooks keep receiving alerts only. The outbox carries registry
-- changes too: a row is then keyed by the ledger entry it reports (ledger_seq)
-- instead of an alert, queued in the transaction that wrote the ledger entry.
alter table webhooks add column if not exists subscriptions text[] not null default array['alerts']::text[];
alter table webhooks add constraint webhooks_subscriptions_known
  check (cardinality(subscriptions) > 0 and subscriptions <@ array['alerts', 'registry']::text[]);

alter table webhook_outbox alter column alert_id drop not null;
alter table webhook_outbox add column if not exists ledger_seq bigint references registry_ledger (seq);
alter table webhook_outbox add constraint webhook_outbox_one_subject
  check ((alert_id is null) <> (ledger_seq is null));
