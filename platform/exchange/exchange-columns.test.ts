import { describe, expect, it } from 'vitest'
import { mapHeaders } from '../registry/tenant-columns.ts'
import { toAccessRecord, type AccessRow } from './access-records.ts'
import { importColumns, jsonRows, parseBuildingRow, parseRoomRow, rowKey } from './exchange-columns.ts'

describe('exchange rows', () => {
  it('reads building rows by English key or Chinese header, with an error per column', () => {
    const { columns, missing } = mapHeaders(['楼栋编号', 'name', '地址', 'gridId', 'ignored'], importColumns('buildings'))
    expect(missing).toEqual([])
    const seen = new Set<string>()
    expect(parseBuildingRow(['b-1', 'One', '1 Road', 'g1', 'x'], 2, columns, seen)).toEqual({
      input: { id: 'b-1', name: 'One', address: '1 Road', gridId: 'g1', landlord: null, timeZone: null }, errors: [],
    })
    expect(parseBuildingRow(['b-1', '', '1 Road', 'g 1'], 3, columns, seen).errors.map((e) => `${e.column}:${e.code}`))
      .toEqual(['buildingId:duplicate_in_file', 'name:required', 'gridId:invalid_id'])
    expect(mapHeaders(['name'], importColumns('buildings')).missing).toEqual(['楼栋编号/buildingId', '地址/address', '网格编号/gridId'])
  })

  it('reads room rows; capacity is 1..100, a number cell or digits', () => {
    const { columns } = mapHeaders(['buildingId', 'number', 'capacity'], importColumns('rooms'))
    const seen = new Set<string>()
    expect(parseRoomRow(['b1', '101', 3], 2, columns, seen).input).toEqual({ buildingId: 'b1', number: '101', capacity: 3 })
    expect(parseRoomRow(['b1', '102', '4'], 3, columns, seen).input?.capacity).toBe(4)
    for (const bad of [0, 101, '2.5', 'x']) expect(parseRoomRow(['b1', `r${bad}`, bad], 4, columns, seen).errors[0]?.code).toBe('invalid_capacity')
    expect(parseRoomRow(['b1', '101', 3], 5, columns, seen).errors).toEqual([{ row: 5, column: 'number', code: 'duplicate_in_file', message: null }])
    expect(rowKey('rooms', { buildingId: 'b1', number: '101', capacity: 3 })).toBe('b1/101')
  })

  it('turns JSON objects into a header row and cells; other shapes are refused', () => {
    const cols = importColumns('rooms')
    expect(jsonRows({ rows: [{ buildingId: 'b1', number: '1', capacity: 2, extra: true }, { buildingId: 'b1', number: '2' }] }, cols))
      .toEqual([['buildingId', 'number', 'capacity'], ['b1', '1', 2], ['b1', '2', null]])
    expect(jsonRows([{ number: '1' }], cols)).toEqual([['number'], ['1']])
    for (const bad of [null, 'x', { rows: 'x' }, { rows: [1] }, [[1]]]) expect(jsonRows(bad, cols)).toBeNull()
  })
})

describe('toAccessRecord', () => {
  const row: AccessRow = {
    log_seq: '12', device_id: 'r1', building_id: 'b1', door: 'main-gate', at: new Date('2026-03-01T16:30:00Z'),
    payload: { direction: 'in', result: 'granted', credential: { kind: 'card', value: 'ABCD1234' } },
    address: '1 Road', time_zone: 'Asia/Shanghai', visitor: false, resident_id: 'p1', name: '欧阳明月', id_type: 'resident_id', id_masked: '44****************',
    reg_building_id: 'b1', room_id: 'r-101', room_number: '101', reg_address: '1 Road',
  }

  it('shows the holder in full to police and admin, masked to grid workers, in the building\'s local time', () => {
    const police = toAccessRecord(row, 'police')
    expect(police).toMatchObject({
      logSeq: 12, localTime: '2026-03-02 00:30:00', method: 'card', credentialMasked: '…1234', denyReason: null,
      person: { residentId: 'p1', name: '欧阳明月', idNumberMasked: '44****************' }, registeredAt: { roomNumber: '101' },
    })
    expect(toAccessRecord(row, 'admin').person?.name).toBe('欧阳明月')
    expect(toAccessRecord(row, 'grid_worker').person?.name).toBe('欧阳**')
  })

  it('never shows a PIN and names nobody for an unmatched credential', () => {
    const pin = toAccessRecord({ ...row, payload: { direction: 'out', result: 'denied', reason: 'wrong_pin', credential: { kind: 'pin', value: 'entered' } }, resident_id: null, room_id: null }, 'police')
    expect(pin).toMatchObject({ method: 'pin', credentialMasked: null, direction: 'out', result: 'denied', denyReason: 'wrong_pin', person: null, registeredAt: null })
  })
})
