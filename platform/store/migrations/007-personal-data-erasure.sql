-- Personal data is kept only as long as it is needed: when a person's last
-- stay ended longer ago than the retention period, their identifying fields
-- are erased (platform/privacy/personal-data-retention.ts). The stays stay,
-- as anonymous history of the room.
alter table residents add column erased_at timestamptz;
create index residents_not_erased on residents (id) where erased_at is null;
