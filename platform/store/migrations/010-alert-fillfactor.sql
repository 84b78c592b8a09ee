-- A live alert is updated on every new occurrence (count, last seen, evidence), none of them indexed
-- columns: with room left in each page the new row version stays on the same page (a HOT update) and
-- none of the alert indexes gets a new entry. Also the small progress rows, updated on every commit.
alter table alerts set (fillfactor = 50);
alter table pipeline_progress set (fillfactor = 50);
alter table event_index_progress set (fillfactor = 50);
