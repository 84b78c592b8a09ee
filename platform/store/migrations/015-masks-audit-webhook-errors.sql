-- Masked ID numbers that could be rebuilt, reads that were not audited,
-- webhook errors that described the network.

-- Masks showed the first 3 and the last 4 characters (the sequence and the
-- check character); with the birth date shown beside them about 91 numbers
-- remained. A mask now shows the first 2 characters of an 18-character number
-- and the first 1 of any other, with the length hidden (platform/privacy/mask.ts).
-- The stored masks are redone from what they kept: their first characters are
-- the number's. Running this again changes nothing.
update residents set id_masked = case
    when length(id_masked) = 18 and id_type in ('resident_id', 'hk_macao_tw_residence_permit', 'foreign_permanent_resident')
      then left(id_masked, 2) || repeat('*', 16)
    else left(id_masked, 1) || repeat('*', 8)
  end
  where erased_at is null and id_masked <> '';

-- Every read of a person's record and every registration listing is audited
-- now: GET /audit filters by action, actor and time on a table that grows with
-- the reads.
create index audit_log_action on audit_log (action, seq);
create index audit_log_actor on audit_log (actor_id, seq);
create index audit_log_at on audit_log (at);

-- Deliveries show their owner a generic outcome only; older rows could hold
-- the connection error (an inside address and port).
update webhook_outbox set last_error = 'unreachable'
  where last_error is not null and last_error !~ '^(HTTP [0-9]{3}|timeout|unreachable|refused: target not allowed)$';
