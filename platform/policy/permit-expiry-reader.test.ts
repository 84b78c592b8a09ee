// A permit's end reaches the door, over a real broker with the simulated
// reader: the card's allow-list entry carries the permit's end, so the reader
// refuses the card after it on its own (offline, on its own clock); the
// permit watch then takes the card off the reader's list, and a renewal puts
// it back.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SimReaderDevice } from '../../firmware-sim/device/index.ts'
import { residentIdNumber } from '../../test/support/id-numbers.ts'
import { callApi, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { startSimReader } from '../../test/support/sim-reader.ts'
import { until } from '../../test/support/wait.ts'
import { localDate } from '../registry/time-zones.ts'
import { addMonths, permitEndsAt } from './permit-rules.ts'
import { PermitWatch } from './permit-watch.ts'

const CARD = { kind: 'card' as const, value: '7E7E0042' }

describe('a reader after a permit expiry', () => {
  let tp: TestPlatform
  let reader: SimReaderDevice
  // The reader's clock runs ahead of the platform's by `ahead` ms.
  let ahead = 0

  beforeAll(async () => {
    tp = await startTestPlatform('pglite')
    reader = await startSimReader(tp, 'landlord-li', 'demo-b1', { now: () => Date.now() + ahead })
  }, 90_000)
  afterAll(async () => {
    await reader?.stop()
    await tp?.dispose()
  })

  it('refuses the card past the permit\'s end even unsynced, no longer holds it after the watch, and admits it after a renewal', async () => {
    const today = localDate(Date.now(), 'Asia/Shanghai')
    const version = reader.allowlistVersion
    const r = await callApi(tp, 'landlord-li', 'POST', '/rooms/demo-b1-201/registrations', {
      resident: { name: 'He Jun', idType: 'resident_id', idNumber: residentIdNumber(9201) },
      permitType: 'temporary', permitValidUntil: today, credentials: [CARD],
    })
    expect(r.status).toBe(201)
    await until('the reader holds the card', () => reader.allowlistVersion > version, 5000)
    expect(await reader.present(CARD, 'in')).toBe('granted')

    // Tonight at midnight in the building's zone the permit has ended: the reader knows it by itself.
    const endsAt = permitEndsAt(today, 'Asia/Shanghai')
    ahead = endsAt + 60_000 - Date.now()
    expect(await reader.present(CARD, 'in')).toBe('denied')
    ahead = endsAt - 60_000 - Date.now()
    expect(await reader.present(CARD, 'in')).toBe('granted')

    // The watch after the last day: the card leaves the reader's list.
    const before = reader.allowlistVersion
    expect(await new PermitWatch(tp.platform.registry.ctx).run(endsAt + 60_000)).toMatchObject({ lapsed: 1 })
    await until('the reader drops the card', () => reader.allowlistVersion > before, 5000)
    expect(await reader.present(CARD, 'in')).toBe('denied')

    // Renewed (the platform's today): back on the list, valid to the new end.
    const renewedAt = reader.allowlistVersion
    const renewed = await callApi(tp, 'landlord-li', 'POST', `/registrations/${r.body.registration.id}/renew`, { permitValidUntil: addMonths(today, 6) })
    expect(renewed.status).toBe(200)
    await until('the reader holds the card again', () => reader.allowlistVersion > renewedAt, 5000)
    ahead = 0
    expect(await reader.present(CARD, 'in')).toBe('granted')
    ahead = endsAt + 60_000 - Date.now()
    expect(await reader.present(CARD, 'in')).toBe('granted')
  })
})
