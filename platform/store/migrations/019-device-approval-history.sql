-- A reader that has served a building is never cut off silently. When a
-- vendor's rotation issues a new allow-list key the approval is withdrawn,
-- but the last approval (approved_by, approved_at) is kept and the withdrawal
-- recorded beside it; a device approved once stays judged by the rules.
alter table devices add column approval_withdrawn_by text references users (id);
alter table devices add column approval_withdrawn_at timestamptz;

