-- Which side of its door a reader reads (docs/policy.md, `no_exit_reader`):
-- `in` reads people coming in (a reader on the street side, an exit button
-- inside), `out` people going out, `both` either way (two heads, or a reader
-- that reports the direction of each passage). Cameras have none. Readers the
-- platform knew before were provisioned without saying: they read both ways,
-- as every reader the protocol describes may report either direction.
alter table devices add column if not exists faces text;
update devices set faces = 'both' where kind = 'reader' and faces is null;
alter table devices drop constraint if exists devices_faces;
alter table devices add constraint devices_faces
  check ((kind = 'reader' and faces in ('in', 'out', 'both')) or (kind <> 'reader' and faces is null));
