// One-time upgrades of stored data that run at start (they need the data key,
// which migrations do not have). Each records its name in platform_upgrades in
// the transaction that finishes it; a later start asks and skips it.

import type { Queryable } from './database.ts'

/** Whether the upgrade `name` has finished on this database. */
export async function upgradeDone (q: Queryable, name: string): Promise<boolean> {
  const r = await q.query('select 1 from platform_upgrades where name = $1', [name])
  return r.rows.length > 0
}

/** Records that the upgrade `name` has finished; call it in the transaction of its last change. */
export async function recordUpgrade (tx: Queryable, name: string, now: Date): Promise<void> {
  await tx.query('insert into platform_upgrades (name, done_at) values ($1, $2) on conflict (name) do nothing', [name, now])
}
