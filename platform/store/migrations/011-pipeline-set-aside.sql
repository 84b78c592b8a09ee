-- Alert candidates the database refused for their values (a string it cannot store although the device
-- protocol let it through, a number out of range): the pipeline sets them aside here, in the same transaction
-- that commits the rest of their batch and moves its progress past them, so that one of them never holds up
-- the alerts behind it and none is lost without a trace. The candidate is kept as JSON text: JSON.stringify
-- writes U+0000 and lone surrogates as \u escapes, which any text column holds, while jsonb refuses them.
create table pipeline_set_aside (
  seq bigint generated always as identity primary key,
  pipeline text not null,
  -- The event that proposed the candidate; null for one proposed on a clock tick.
  log_seq bigint,
  set_aside_at timestamptz not null default now(),
  -- SQLSTATE and message of the refusal.
  code text,
  reason text not null,
  candidate text not null
);
