-- Event payloads are kept as the device sent them (validated JSON text) and only ever read whole: `json`
-- stores them without building the binary `jsonb` form, which the event log paid for on every event.
alter table events alter column payload type json using payload::json;
