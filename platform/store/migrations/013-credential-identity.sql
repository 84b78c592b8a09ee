-- Who a credential stands for, across passes and buildings.
--
-- A visitor's passes share one identity, visitor_id: the id of the visitor's
-- first pass. A renewal keeps it and records the pass it renews, so presence
-- follows the visitor whichever pass they show. Passes issued before this
-- migration keep their own id as identity (which is also how the pipeline
-- keyed them, so its checkpoints still apply).
alter table credentials add column visitor_id text;
alter table credentials add column renews text references credentials (id);
update credentials set visitor_id = id where visitor;
alter table credentials add constraint credentials_visitor_identity check (visitor = (visitor_id is not null));
create index credentials_visitor on credentials (visitor_id) where visitor_id is not null;

-- A condition's alert follows the condition while it lasts: its size now
-- (people inside, registrations, seconds open or off; null for incidents),
-- and a `changed` entry in its history each time that, or what its
-- explanation states, changes.
alter table alerts add column level integer;
alter table alert_events drop constraint alert_events_action_check;
alter table alert_events add constraint alert_events_action_check
  check (action in ('opened', 'escalated', 'changed', 'acknowledged', 'resolved'));
