-- The handling workflow of the city plans (docs/alerts.md#handling-workflow):
-- where each alert stands (stage), who it is assigned to, why it was closed,
-- how far it was escalated for want of an acknowledgement; the history's new
-- transitions; and the shift handover notes of police and administrators.

alter table alerts add column stage text not null default 'reported'
  check (stage in ('reported', 'dispatched', 'feedback', 'verified', 'archived'));
update alerts set stage = 'archived' where status = 'resolved';

-- Whatever resolves an alert (a person, a cleared condition, the start-time
-- upgrades) archives it: the stage cannot disagree with the status.
create function alerts_archive_resolved() returns trigger language plpgsql as $$
begin
  if new.status = 'resolved' then
    new.stage := 'archived';
  end if;
  return new;
end $$;
create trigger alerts_archive_resolved before insert or update on alerts
  for each row execute function alerts_archive_resolved();
alter table alerts add constraint alerts_stage_archived check ((stage = 'archived') = (status = 'resolved'));

-- The grid worker dispatched to it (a user of role grid_worker).
alter table alerts add column assignee_id text references users (id);
alter table alerts add column assigned_at timestamptz;
alter table alerts add constraint alerts_assigned check ((assignee_id is null) = (assigned_at is null));
-- Given by the person who resolved it; null for alerts the platform resolved or resolved before this.
alter table alerts add column closure_reason text
  check (closure_reason in ('real', 'false_alarm', 'technical_fault', 'duplicate'));
-- 0: with the building's own area; 1: raised to the street; 2: to the district.
alter table alerts add column escalation_level integer not null default 0 check (escalation_level between 0 and 2);
alter table alerts add column escalated_to text references areas (id);
alter table alerts add column escalated_at timestamptz;
alter table alerts add constraint alerts_escalated check ((escalation_level = 0) = (escalated_at is null));

create index alerts_assignee on alerts (assignee_id, seq) where assignee_id is not null;
-- The escalation sweep reads the open alerts only.
create index alerts_open_created on alerts (created_at) where status = 'open';
create index alerts_resolved_at on alerts (resolved_at) where resolved_at is not null;

alter table alert_events drop constraint alert_events_action_check;
alter table alert_events add constraint alert_events_action_check
  check (action in ('opened', 'escalated', 'changed', 'acknowledged', 'resolved',
    'assigned', 'feedback', 'verified', 'verification_rejected', 'commented', 'escalated_to_parent'));

-- Shift handover notes: one per writing, for the writer's area; the next shift acknowledges.
create table alert_handovers (
  id text primary key,
  area_id text not null references areas (id),
  area_path text not null,
  note text not null,
  created_by text not null references users (id),
  created_at timestamptz not null,
  acknowledged_by text references users (id),
  acknowledged_at timestamptz,
  check ((acknowledged_by is null) = (acknowledged_at is null))
);
create index alert_handovers_area on alert_handovers (area_id, created_at desc);
