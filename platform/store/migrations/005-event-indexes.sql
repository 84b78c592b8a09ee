-- Two fewer indexes to maintain on every logged event (the event log is the
-- hottest table): no history query reads events by building and time alone,
-- and the retention job walks the log in log_seq order (received_at grows with
-- log_seq), so neither needs an index of its own.
drop index if exists events_building_at;
drop index if exists events_received_at;
