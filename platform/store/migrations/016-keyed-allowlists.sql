-- Readers get keyed digests of credentials, never their values (device
-- protocol revision 2), and a vendor's device waits for the landlord's
-- approval before it gets any.

-- A PIN's SHA-256, encrypted under a key derived from the data key: the
-- platform computes each reader's digests from it. credentials.value holds
-- 'hmac:<hex>' for a PIN (a keyed hash: PINs are not unique and are never
-- looked up by it; it keeps the value uncheckable without the data key). PINs
-- stored before (value 'sha256:<hex>') are converted at start, which needs
-- the data key and therefore happens in the platform, not here.
alter table credentials add column secret_sealed text;

-- The reader's own allow-list key, encrypted; null for cameras and for
-- readers provisioned before revision 2 (they get a key when their secret is
-- rotated, and no allow-list until then).
alter table devices add column allowlist_key_sealed text;

-- Devices that existed before approvals were introduced stay approved: they
-- were installed and are receiving their lists, and cutting them off would
-- stop revocations from reaching their doors.
alter table devices add column approved boolean not null default true;
alter table devices add column approved_by text references users (id);
alter table devices add column approved_at timestamptz;
