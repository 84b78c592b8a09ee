-- The event log is made durable in a journal file first (platform/events/journal.ts)
-- and copied into `events` a moment later. `through`: every journal record up to
-- this log position is in `events`; after a restart the journal is replayed from
-- there. `journal_id` names the journal this database is filled from, so that a
-- data directory is never replayed into another database.

create table event_index_progress (
  singleton boolean primary key default true check (singleton),
  through bigint not null,
  journal_id text not null
);
