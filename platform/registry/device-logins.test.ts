// The broker's in-memory device directory on both databases: loaded at start,
// current at once after provisioning, disabling and rotating (before the
// broker disconnects the device), answering known devices without the
// database, falling back to it for ids made elsewhere, and shedding misses
// beyond its bound instead of queueing them.

import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { provisionReader, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { DirectoryBusyError, type DeviceLogin } from '../broker/ports.ts'
import type { Database } from '../store/database.ts'
import type { Actor } from './access.ts'
import { hashDeviceSecret } from './devices.ts'
import { DeviceLogins } from './device-logins.ts'

/** The platform's database, with its queries counted and, while `down`, refused. */
function watched (db: Database): { db: Database; queries: number; down: boolean } {
  const w = { queries: 0, down: false, db: undefined as unknown as Database }
  w.db = new Proxy(db, {
    get (target, prop, receiver) {
      if (prop !== 'query') return Reflect.get(target, prop, receiver)
      return (...args: Parameters<Database['query']>) => {
        w.queries++
        if (w.down) return Promise.reject(new Error('database down'))
        return target.query(...args)
      }
    },
  })
  return w
}

describe.each(DATABASE_KINDS)('DeviceLogins (%s)', (kind) => {
  let tp: TestPlatform
  let admin: Actor
  beforeAll(async () => {
    tp = await startTestPlatform(kind)
    const row = await tp.platform.db.query<{ id: string }>(`select id from users where username = 'admin'`)
    admin = { id: row.rows[0]!.id, role: 'admin', username: 'admin' }
  }, 60_000)
  afterAll(async () => { await tp?.dispose() })

  const open = async (o: { maxMissLookups?: number } = {}) => {
    const w = watched(tp.platform.db)
    const logins = new DeviceLogins({ db: w.db, events: tp.platform.registry.events, logger: pino({ level: 'silent' }), ...o })
    await logins.start()
    return { w, logins }
  }

  it('answers known devices from memory, also while the database is down', async () => {
    const details = await provisionReader(tp, 'admin', 'demo-b1', `known-${kind}`)
    const { w, logins } = await open()
    try {
      const before = w.queries
      w.down = true
      expect(await logins.find(details.clientId)).toEqual({
        deviceId: details.clientId, buildingId: 'demo-b1', secretHash: hashDeviceSecret(details.password), enabled: true,
      })
      expect(w.queries).toBe(before)
    } finally {
      logins.stop()
    }
  })

  it('is current when the broker is told to disconnect: disabled, enabled, rotated, provisioned', async () => {
    const { w, logins } = await open()
    const registry = tp.platform.registry
    const seen: Array<DeviceLogin | undefined> = []
    // Subscribed after the directory: what the broker's disconnect listener would find at that moment.
    const unsubscribe = registry.events.subscribe({
      deviceCredentialsChanged: (id) => { void logins.find(id).then((l) => seen.push(l)) },
    })
    try {
      const id = `cur-${kind}`
      const { secret } = await registry.devices.provision(admin, 'demo-b1', { id, door: 'main-gate', kind: 'reader', vendor: 'Acme', model: 'AR-200' })
      w.down = true
      const before = w.queries
      expect((await logins.find(id))?.secretHash).toBe(hashDeviceSecret(secret))
      w.down = false
      await registry.devices.setEnabled(admin, id, false)
      const rotated = await registry.devices.rotateSecret(admin, id)
      await new Promise((resolve) => setImmediate(resolve))
      expect(seen.map((l) => [l?.enabled, l?.secretHash])).toEqual([
        [false, hashDeviceSecret(secret)],
        [false, hashDeviceSecret(rotated.secret)],
      ])
      await registry.devices.setEnabled(admin, id, true)
      w.down = true
      expect(await logins.find(id)).toMatchObject({ enabled: true, secretHash: hashDeviceSecret(rotated.secret) })
      expect(w.queries).toBe(before)
    } finally {
      unsubscribe()
      logins.stop()
    }
  })

  it('looks up an id it has not loaded in the database, a bounded number at a time', async () => {
    const { w, logins } = await open({ maxMissLookups: 2 })
    try {
      // Made outside this process's registry (no event): found through the database.
      const id = `outside-${kind}`
      await tp.platform.db.query(
        `insert into devices (id, building_id, door, kind, vendor, model, secret_hash, provisioned_by) values ($1, 'demo-b1', 'main-gate', 'reader', 'Acme', 'AR-200', $2, $3)`,
        [id, hashDeviceSecret('s'), admin.id])
      expect((await logins.find(id))?.deviceId).toBe(id)
      expect(await logins.find('never-provisioned')).toBeUndefined()
      // Three misses at once: two go to the database, the third is shed.
      const before = w.queries
      const answers = await Promise.allSettled([logins.find('x-1'), logins.find('x-2'), logins.find('x-3')])
      expect(w.queries - before).toBe(2)
      expect(answers.map((a) => a.status)).toEqual(['fulfilled', 'fulfilled', 'rejected'])
      expect((answers[2] as PromiseRejectedResult).reason).toBeInstanceOf(DirectoryBusyError)
    } finally {
      logins.stop()
    }
  })
})
