// PATCH /users/{id} on both databases: an administrator renames an account or
// moves a grid worker to another grid; the move ends the account's sessions,
// and the next sign-in has the new scope. Refused changes change nothing.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS } from '../../../test/support/databases.ts'
import { callApi, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts'

describe.each(DATABASE_KINDS)('changing an account (%s)', (kind) => {
  let tp: TestPlatform
  const api = (who: string | null, method: string, url: string, body?: unknown) => callApi(tp, who, method, url, body)
  beforeAll(async () => { tp = await startTestPlatform(kind) }, 120_000)
  afterAll(async () => { await tp?.dispose() })

  it('moves a grid worker to another grid: the old session ends, the next one sees the new grid', async () => {
    const id = tp.userIds['grid-zhou']!
    const before = (await api('admin', 'GET', '/users?role=grid_worker')).body.find((u: { id: string }) => u.id === id)
    expect(before.areaId).not.toBe('lianhua-g1')
    expect((await api('grid-zhou', 'GET', '/buildings/demo-b1')).status).toBe(404)

    const moved = await api('admin', 'PATCH', `/users/${id}`, { areaId: 'lianhua-g1' })
    expect(moved.status).toBe(200)
    expect(moved.body).toMatchObject({ id, areaId: 'lianhua-g1', role: 'grid_worker', disabled: false })
    expect((await api('grid-zhou', 'GET', '/buildings/demo-b1')).status).toBe(401)

    const login = await api(null, 'POST', '/auth/login', { username: 'grid-zhou', password: 'demo-password' })
    expect(login.status).toBe(200)
    tp.tokens['grid-zhou'] = login.body.token
    expect((await api('grid-zhou', 'GET', '/buildings/demo-b1')).status).toBe(200)
    const audit = await tp.platform.db.query<{ detail: Record<string, string> }>(`select detail from audit_log where action = 'user.changed' and subject_id = $1`, [id])
    expect(audit.rows.map((r) => r.detail)).toEqual([{ fromArea: before.areaId, toArea: 'lianhua-g1' }])
  })

  it('renames an account without ending its sessions', async () => {
    const id = tp.userIds['police-zumiao']!
    const r = await api('admin', 'PATCH', `/users/${id}`, { displayName: '祖庙派出所 值班室' })
    expect(r.body.displayName).toBe('祖庙派出所 值班室')
    expect((await api('police-zumiao', 'GET', '/auth/me')).status).toBe(200)
  })

  it('refuses an area for a role without one, an unknown area, an empty change and a caller who is not an administrator', async () => {
    const li = tp.userIds['landlord-li']!
    const snapshot = async (): Promise<string> => JSON.stringify((await tp.platform.db.query('select id, area_id, display_name, disabled from users order by id')).rows)
    const before = await snapshot()
    expect((await api('admin', 'PATCH', `/users/${li}`, { areaId: 'lianhua-g1' })).status).toBe(400)
    expect((await api('admin', 'PATCH', `/users/${tp.userIds['grid-chen']}`, { areaId: 'nowhere' })).status).toBe(404)
    expect((await api('admin', 'PATCH', `/users/${li}`, {})).status).toBe(400)
    expect((await api('police-zumiao', 'PATCH', `/users/${li}`, { displayName: 'X' })).status).toBe(403)
    expect((await api('admin', 'PATCH', `/users/${li}`, { role: 'police' })).status).toBe(400)
    expect(await snapshot()).toBe(before)
  })
})
