-- Single-use tickets for the live alert stream (GET /alerts/stream?ticket=), so that a browser's
-- EventSource, which cannot send an Authorization header, never puts the session token in a URL.
-- Only the ticket's hash is kept; a ticket ends with its session (logout, expiry, disabled account).
create table stream_tickets (
  ticket_hash text primary key,
  token_hash text not null references sessions (token_hash) on delete cascade,
  -- The address it was issued to; only that address can use it.
  ip text not null,
  expires_at timestamptz not null
);
create index stream_tickets_expiry on stream_tickets (expires_at);
