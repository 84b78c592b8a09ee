-- A webhook's signing secret is kept encrypted under a key derived from the
-- data key (secret_sealed), like the readers' allow-list keys: the platform
-- must read it to sign deliveries, so it cannot be hashed, but a copy of the
-- database alone no longer lets anyone sign as the platform. Secrets stored in
-- clear before are sealed at the next start, which empties the clear column.
alter table webhooks add column secret_sealed text;
alter table webhooks alter column secret drop not null;
alter table webhooks add constraint webhooks_secret_kept check (secret is not null or secret_sealed is not null);
