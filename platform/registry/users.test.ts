// An account change and its audit entry are one write: when the audit entry
// cannot be written, nothing of the change is left (creating an account,
// disabling it, opening a session). The failure is real: a trigger on the
// test database refuses those audit entries.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../../test/support/databases.ts'
import { CredentialSecrets } from '../privacy/credential-secrets.ts'
import { IdVault } from '../privacy/id-vault.ts'
import type { Actor } from './access.ts'
import { Registry } from './registry.ts'

describe.each(DATABASE_KINDS)('account changes with their audit entry (%s)', (kind) => {
  let t: TestDatabase
  let registry: Registry
  let root: Actor
  beforeAll(async () => {
    t = await openTestDatabase(kind)
    registry = new Registry({ db: t.db, vault: IdVault.fromKey('c5'.repeat(32)), secrets: CredentialSecrets.fromKey('c5'.repeat(32)) })
    const admin = await registry.users.create(null, { username: 'root', displayName: 'Root', role: 'admin', password: 'a-long-password' })
    root = { id: admin.id, role: 'admin', username: 'root' }
    await registry.users.create(root, { username: 'kept', displayName: 'Kept', role: 'admin', password: 'a-long-password' })
    await registry.users.login('kept', 'a-long-password', '10.0.0.1')
    await t.db.exec(`
      create function refuse_account_audit () returns trigger language plpgsql as $$
      begin
        if new.action in ('user.created', 'user.disabled', 'login.succeeded') then
          raise exception 'audit refused for the test';
        end if;
        return new;
      end $$;
      create trigger refuse_account_audit before insert on audit_log for each row execute function refuse_account_audit();
    `)
  }, 60_000)
  afterAll(async () => { await t?.dispose() })

  const count = async (sql: string, params: unknown[]): Promise<number> =>
    (await t.db.query<{ n: number }>(`select count(*)::int as n ${sql}`, params)).rows[0]!.n

  it('creates no account without its audit entry', async () => {
    await expect(registry.users.create(root, { username: 'ghost', displayName: 'Ghost', role: 'admin', password: 'a-long-password' })).rejects.toThrow()
    expect(await count('from users where username = $1', ['ghost'])).toBe(0)
  })

  it('neither disables an account nor ends its sessions without its audit entry', async () => {
    const kept = await t.db.query<{ id: string }>('select id from users where username = $1', ['kept'])
    const id = kept.rows[0]!.id
    const sessions = await count('from sessions where user_id = $1', [id])
    expect(sessions).toBeGreaterThan(0)
    await expect(registry.users.setDisabled(root, id, true)).rejects.toThrow()
    expect(await count('from users where id = $1 and not disabled', [id])).toBe(1)
    expect(await count('from sessions where user_id = $1', [id])).toBe(sessions)
  })

  it('opens no session without its audit entry', async () => {
    const before = await count('from sessions', [])
    await expect(registry.users.login('kept', 'a-long-password', '10.0.0.1')).rejects.toThrow()
    expect(await count('from sessions', [])).toBe(before)
  })
})
