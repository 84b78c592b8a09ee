-- History tables refuse TRUNCATE too (row triggers do not fire on it): the
-- stays, the registry ledger, the audit log and the alert history can only
-- grow. append_only() raises for any operation, so it serves statement
-- triggers as well.
create trigger registrations_no_truncate before truncate on registrations
  for each statement execute function append_only();
create trigger registry_ledger_no_truncate before truncate on registry_ledger
  for each statement execute function append_only();
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function append_only();
create trigger alert_events_no_truncate before truncate on alert_events
  for each statement execute function append_only();
