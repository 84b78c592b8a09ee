-- A pending credential holds its value again, without stopping a person who
-- moves from bringing their own card.
--
-- Since 013 the unique indexes cover active credentials only, so a pending
-- one (issued to a registration that waits for a move) could share its value
-- with someone else's credential and then fail to activate, stopping the move
-- or the old side's deregistration. A value cannot simply be unique over
-- pending and active credentials: the person who moves brings the card that
-- is still active with their old stay, and the move revokes that one in the
-- transaction that activates the copy.
--
-- So each card, IC card, QR and face value held by a pending or active
-- credential is held by one holder: the person of the credential's
-- registration, or the visitor of a pass. The `credential_holds` row of a
-- value (platform-wide for cards, IC cards and QR tokens; per building for
-- face references, which each building's readers number) names that holder
-- and counts their credentials with it; a trigger keeps it, and refuses as a
-- unique violation a credential of another holder. The active-only indexes
-- of 013 still allow one active credential per value, value_shared ones
-- (held twice before 013, kept working) still stand outside both but keep
-- their value from anyone else, and a registration holds a value at most once.
create table credential_holds (
  kind text not null,
  scope text not null,
  value text not null,
  holder text not null,
  -- 0 only inside the statement that ends the last credential, which then deletes the row.
  credentials integer not null check (credentials >= 0),
  primary key (kind, scope, value)
);

-- Who a credential is held by: the person of its registration, the visitor of a pass, else the credential itself.
create view credential_holders as
  select c.id, c.registration_id, c.kind, case when c.kind = 'face' then c.building_id else '' end as scope, c.value, c.status, c.issued_at,
         coalesce('person:' || g.resident_id, 'visitor:' || c.visitor_id, 'credential:' || c.id) as holder
    from credentials c left join registrations g on g.id = c.registration_id
   where c.kind in ('card', 'ic_card', 'qr', 'face') and c.status in ('pending', 'active') and not c.value_shared;

create or replace function credentials_hold() returns trigger language plpgsql as $$
declare
  old_scope text;
  new_scope text;
  held_before boolean := false;
  held_now boolean := false;
  who text;
  left_over integer;
begin
  if tg_op in ('INSERT', 'UPDATE') then
    held_now := new.kind in ('card', 'ic_card', 'qr', 'face') and new.status in ('pending', 'active') and not new.value_shared;
    new_scope := case when new.kind = 'face' then new.building_id else '' end;
  end if;
  if tg_op in ('UPDATE', 'DELETE') then
    held_before := old.kind in ('card', 'ic_card', 'qr', 'face') and old.status in ('pending', 'active') and not old.value_shared;
    old_scope := case when old.kind = 'face' then old.building_id else '' end;
  end if;
  if held_before and held_now and (old.kind, old_scope, old.value) = (new.kind, new_scope, new.value) then
    return null;
  end if;
  if held_before then
    -- One statement that locks the row: two credentials of a value ending at
    -- once count down one after the other, and the second sees the first's
    -- count (a delete-if-last, then decrement, could both miss and reach 0).
    update credential_holds set credentials = credentials - 1
     where kind = old.kind and scope = old_scope and value = old.value
     returning credentials into left_over;
    if left_over = 0 then
      delete from credential_holds where kind = old.kind and scope = old_scope and value = old.value and credentials = 0;
    end if;
  end if;
  if held_now then
    select holder into who from credential_holders where id = new.id;
    -- A value held twice before 013 (value_shared) stays out of the holds, so
    -- once its first holder's credential ends nothing would hold it: it is
    -- held for the holder of the shared copy while that copy is pending or active.
    if exists (select 1 from credentials c left join registrations g on g.id = c.registration_id
                where c.value_shared and c.status in ('pending', 'active') and c.kind = new.kind and c.value = new.value
                  and (new.kind <> 'face' or c.building_id = new.building_id) and c.id <> new.id
                  and coalesce('person:' || g.resident_id, 'visitor:' || c.visitor_id, 'credential:' || c.id) <> who) then
      raise exception 'another holder holds this % value', new.kind using errcode = '23505';
    end if;
    insert into credential_holds (kind, scope, value, holder, credentials) values (new.kind, new_scope, new.value, who, 1)
      on conflict (kind, scope, value) do update set credentials = credential_holds.credentials + 1
      where credential_holds.holder = excluded.holder;
    if not found then
      raise exception 'another holder holds this % value', new.kind using errcode = '23505';
    end if;
  end if;
  return null;
end $$;

-- Pending credentials that already collide with another holder's (issued
-- after 013), or repeat a value of their own registration, could never be
-- activated: they are revoked, in the ledger of their building. They were on
-- no reader, so nobody loses access.
with ranked as (
  select h.*,
         first_value(h.holder) over (partition by h.kind, h.scope, h.value order by (h.status = 'active') desc, h.issued_at, h.id) as first_holder,
         row_number() over (partition by h.registration_id, h.kind, h.value order by (h.status = 'active') desc, h.issued_at, h.id) as nth
    from credential_holders h
), revoked as (
  update credentials c set status = 'revoked', revoked_at = now(), revoke_reason = 'another credential holds this value'
    from ranked r
   where c.id = r.id and r.status = 'pending' and (r.holder <> r.first_holder or (r.registration_id is not null and r.nth > 1))
  returning c.id, c.building_id, c.room_id, c.registration_id
)
insert into registry_ledger (actor_id, action, building_id, room_id, registration_id, credential_id, detail)
  select '(upgrade)', 'credential.revoked', building_id, room_id, registration_id, id, '{"reason": "another credential holds this value"}'::jsonb
    from revoked;

insert into credential_holds (kind, scope, value, holder, credentials)
  select kind, scope, value, min(holder), count(*) from credential_holders group by kind, scope, value;

create trigger credentials_hold after insert or update of status, kind, value, building_id, value_shared or delete on credentials
  for each row execute function credentials_hold();
-- Row triggers do not see TRUNCATE, which would leave every value held.
create function credentials_refuse_truncate() returns trigger language plpgsql as $$
begin
  raise exception 'credentials cannot be truncated: credential_holds counts them' using errcode = '55000';
end $$;
create trigger credentials_no_truncate before truncate on credentials
  for each statement execute function credentials_refuse_truncate();

create unique index credentials_registration_value on credentials (registration_id, kind, value)
  where registration_id is not null and status in ('pending', 'active') and kind <> 'pin';
