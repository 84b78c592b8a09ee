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
