-- What an alert says, as data (contract/alert-wording.ts): `{code, params}`,
-- which the consoles word in the reader's language; `explanation` keeps its
-- English wording for webhooks, exports and older clients. Alerts raised
-- before have none (null) and are shown by their stored explanation.
alter table alerts add column if not exists reason jsonb;
