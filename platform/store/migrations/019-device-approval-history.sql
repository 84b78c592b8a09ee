-- A reader that has served a building is never cut off silently. When a
-- vendor's rotation issues a new allow-list key the approval is withdrawn,
-- but the last approval (approved_by, approved_at) is kept and the withdrawal
-- recorded beside it; a device approved once stays judged by the rules.
alter table devices add column approval_withdrawn_by text references users (id);
alter table devices add column approval_withdrawn_at timestamptz;

-- Who disabled a device: a vendor may re-enable only what its own
-- organisation disabled, never what the landlord or an administrator did.
-- Null for enabled devices and for those disabled before this was recorded.
alter table devices add column disabled_by text references users (id);
