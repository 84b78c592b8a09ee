-- The event log: every accepted device event, written before the device's
-- PUBACK. The primary key is the de-duplication: a QoS 1 redelivery or a
-- gateway replay of the same event inserts nothing.

create table events (
  log_seq bigserial not null unique,
  device_id text not null,
  event_id text not null,
  seq bigint,
  building_id text not null,
  channel text not null,
  door text,
  credential_id text,
  -- Device clock.
  at timestamptz not null,
  -- Broker clock.
  received_at timestamptz not null,
  payload jsonb not null,
  primary key (device_id, event_id)
);
create unique index events_device_seq on events (device_id, seq) where seq is not null;
create index events_building_at on events (building_id, at);
create index events_door_at on events (building_id, door, at) where door is not null;
create index events_credential_at on events (credential_id, at) where credential_id is not null;
create index events_received_at on events (received_at);
