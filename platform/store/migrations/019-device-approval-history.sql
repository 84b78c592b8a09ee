-- A reader that has served a building is never cut off silently. When a
-- vendor's rotation issues a new allow-list key the approval is withdrawn,
-- but the last approval (approved_by, approved_at) is kept and the withdrawal
-- recorded beside it; a device approved once stays judged by the rules.
alter table devices add column if not exists approval_withdrawn_by text references users (id);
alter table devices add column if not exists approval_withdrawn_at timestamptz;

-- Withdrawals made before this migration erased the approval. The ledger has
-- both: put back the approval before the latest withdrawal (an approval, or a
-- provisioning approved at once) and record the withdrawal, so that those
-- devices are judged again and their readers show up as not updated.
update devices d
   set approved_by = (select u.id from users u where u.id = a.actor_id), approved_at = a.at,
       approval_withdrawn_by = (select u.id from users u where u.id = w.actor_id), approval_withdrawn_at = w.at
  from (select distinct on (device_id) device_id, actor_id, at, seq from registry_ledger
         where action = 'device.secret_rotated' and detail ->> 'approvalWithdrawn' = 'true'
         order by device_id, seq desc) w,
       lateral (select l.actor_id, l.at from registry_ledger l
                 where l.device_id = w.device_id and l.seq < w.seq
                   and (l.action = 'device.approved' or (l.action = 'device.provisioned' and l.detail ->> 'approved' = 'true'))
                 order by l.seq desc limit 1) a
 where d.id = w.device_id and not d.approved and d.approved_at is null;

-- Who disabled a device: a vendor may re-enable only what its own
-- organisation disabled, never what the landlord or an administrator did.
-- Null for enabled devices.
alter table devices add column if not exists disabled_by text references users (id);

-- Devices disabled before this was recorded: who disabled them is in the
-- ledger. As the platform now records it, the first disable since the device
-- was last enabled (disabling a disabled device again does not take it over).
-- Left null where the ledger has no such entry or its user is gone: then no
-- vendor can enable the device, only the landlord or an administrator.
update devices d
   set disabled_by = (
         select (select u.id from users u where u.id = l.actor_id) from registry_ledger l
          where l.device_id = d.id and l.action = 'device.disabled'
            and l.seq > coalesce((select max(e.seq) from registry_ledger e where e.device_id = d.id and e.action = 'device.enabled'), 0)
          order by l.seq limit 1)
 where not d.enabled and d.disabled_by is null;
