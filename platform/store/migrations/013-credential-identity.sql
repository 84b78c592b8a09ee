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

-- One card, one holder. Card and IC card numbers are physical cards and QR
-- tokens are bearer codes: a value is active for at most one credential on
-- the whole platform (before, once per building, so a cloned card could be
-- active for two people in two buildings). Face enrolment references are
-- numbered by each building's readers and stay unique per building. PINs are
-- not unique at all: refusing one would tell a landlord someone's PIN.
--
-- A registry that already holds a value twice is not broken by the upgrade
-- (revoking here would lock people out): every active holder but the first
-- issued is marked value_shared, kept out of the index, and reported by the
-- impossible_travel rule when used; the value cannot be issued again.
alter table credentials add column value_shared boolean not null default false;
update credentials c set value_shared = true
 where c.status = 'active' and c.kind in ('card', 'ic_card', 'qr')
   and exists (select 1 from credentials o
                where o.status = 'active' and o.kind = c.kind and o.value = c.value and (o.issued_at, o.id) < (c.issued_at, c.id));
drop index credentials_active_value;
create unique index credentials_active_token on credentials (kind, value)
  where status = 'active' and kind in ('card', 'ic_card', 'qr') and not value_shared;
create unique index credentials_active_face on credentials (building_id, value) where status = 'active' and kind = 'face';
create index credentials_active_kind_value on credentials (kind, value) where status = 'active';

-- Where a building is (WGS 84), if its landlord or an administrator records
-- it: how far apart two buildings are tells the impossible_travel rule how
-- soon one card can plausibly be used at both.
alter table buildings add column lat double precision check (lat between -90 and 90);
alter table buildings add column lon double precision check (lon between -180 and 180);
alter table buildings add constraint buildings_location_whole check ((lat is null) = (lon is null));
