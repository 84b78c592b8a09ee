-- The pipeline's progress (platform/pipeline/): up to which event-log
-- position its alerts are committed, and a checkpoint of the rules' state at
-- a log position, to restore after a restart and replay the log from there.
-- One row per pipeline (today: 'main').

create table pipeline_progress (
  pipeline text primary key,
  through bigint not null,
  checkpoint_seq bigint,
  -- JSON of the rules' state (platform/pipeline/state.ts), kept as text: it is only ever read whole.
  checkpoint text,
  checkpoint_at timestamptz,
  updated_at timestamptz not null
);
