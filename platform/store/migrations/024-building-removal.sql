-- A building taken off the platform (DELETE /buildings/{id}) keeps its row:
-- its stays, credentials, ledger and alerts refer to it and are history that
-- is never deleted (registrations_guard, the append-only ledger), and its id
-- is never given to another building. Every read of the registry treats it as
-- gone; its personal data is erased on the usual schedule, its stays having
-- ended.
alter table buildings add column if not exists removed_at timestamptz;
alter table buildings add column if not exists removed_by text references users (id);
