-- How far each reader of the event log (platform/events/log-reader.ts: the
-- time-series sink, the KPI jobs) has got: it handles the events after
-- `log_seq` next, so a restart resumes here and a crash loses nothing. Setting
-- `log_seq` back (to 0) makes a reader rebuild what it derives from the log.
-- The pipeline keeps its position in pipeline_progress instead, written in the
-- transaction of its alerts.
create table if not exists log_reader_progress (
  reader text primary key,
  log_seq bigint not null check (log_seq >= 0),
  updated_at timestamptz not null default now()
);
