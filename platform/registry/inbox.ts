// The landlord's deregistration inbox: residents the pipeline has not seen for
// RULE_NOT_SEEN_DAYS (probably gone: deregister), permits that end within 30
// days (renew) and permits that ended (renew or deregister). Each item carries
// the registration id its one-click action takes; names are masked.

import { PERMIT_EXPIRING_DAYS, type Inbox, type InboxItem } from '../../contract/routes/landlord-routes.ts'
import type { PermitType } from '../../contract/schemas/registry.ts'
import { maskName } from '../privacy/mask.ts'
import type { Actor } from './access.ts'
import { writeAudit } from './audit-log.ts'
import { loadBuilding } from './buildings.ts'
import type { RegistryContext } from './context.ts'
import type { PresenceReader } from './presence-port.ts'
import { daysBetween, localDate } from './time-zones.ts'

const DAY = 86_400_000

interface Row {
  id: string; room_id: string; room_number: string; resident_id: string; arrived_at: Date; permit_valid_until: string | null
  permit_type: PermitType | null; permit_lapsed_at: Date | null; name: string; alert_id: string | null
}

export async function readInbox (ctx: RegistryContext, presence: PresenceReader, actor: Actor, buildingId: string): Promise<Inbox> {
  const building = await loadBuilding(ctx.db, actor, buildingId, 'residents.read')
  const r = await ctx.db.query<Row>(
    `select g.id, g.room_id, r.number as room_number, g.resident_id, g.arrived_at, g.permit_valid_until::text as permit_valid_until,
            g.permit_type, g.permit_lapsed_at,
            coalesce(d.name, p.name) as name,
            (select a.id from alerts a where a.building_id = g.building_id and a.resident_id = g.resident_id
                and a.type = 'resident_not_seen' and a.status <> 'resolved' order by a.seq desc limit 1) as alert_id
       from registrations g join rooms r on r.id = g.room_id join residents p on p.id = g.resident_id
       left join registration_details d on d.registration_id = g.id
      where g.building_id = $1 and g.status = 'active'`, [buildingId])
  const sent = await ctx.db.query<{ registration_id: string; permit_valid_until: string; days_before: number; created_at: Date }>(
    `select m.registration_id, m.permit_valid_until::text as permit_valid_until, m.days_before, m.created_at from permit_reminders m
       join registrations g on g.id = m.registration_id and g.permit_valid_until = m.permit_valid_until
      where m.building_id = $1 and g.status = 'active' order by m.created_at, m.days_before desc`, [buildingId])
  const reminders = new Map<string, Array<{ daysBefore: number; sentAt: string }>>()
  for (const m of sent.rows) {
    const list = reminders.get(m.registration_id) ?? []
    list.push({ daysBefore: m.days_before, sentAt: new Date(m.created_at).toISOString() })
    reminders.set(m.registration_id, list)
  }
  const now = ctx.now().getTime()
  const today = localDate(now, building.time_zone)
  const known = presence.running()
  const notSeen: Array<InboxItem & { type: 'not_seen' }> = []
  const permits: Array<InboxItem & { type: 'permit_expiring' | 'permit_expired' }> = []
  for (const row of r.rows) {
    const base = { registrationId: row.id, roomId: row.room_id, roomNumber: row.room_number, nameMasked: maskName(row.name) }
    const lastSeen = known ? presence.lastSeenAt(row.resident_id) : null
    const since = Math.max(lastSeen ?? -Infinity, new Date(row.arrived_at).getTime())
    const days = Math.max(0, Math.floor((now - since) / DAY))
    // Without the pipeline's state only a raised alert tells; with it, the same measure as the rule's.
    if (row.alert_id !== null || (known && now - since > presence.notSeenDays * DAY)) {
      notSeen.push({
        type: 'not_seen', ...base, lastSeenAt: lastSeen === null ? null : new Date(lastSeen).toISOString(), daysNotSeen: days,
        alertId: row.alert_id, actions: ['deregister'],
      })
    }
    if (row.permit_valid_until !== null) {
      const daysLeft = daysBetween(today, row.permit_valid_until)
      const permit = {
        ...base, permitValidUntil: row.permit_valid_until, daysLeft, permitType: row.permit_type, lapsed: row.permit_lapsed_at !== null,
        reminders: reminders.get(row.id) ?? [],
      }
      if (daysLeft < 0) permits.push({ type: 'permit_expired', ...permit, actions: ['renew', 'deregister'] })
      else if (daysLeft <= PERMIT_EXPIRING_DAYS) permits.push({ type: 'permit_expiring', ...permit, actions: ['renew'] })
    }
  }
  notSeen.sort((a, b) => b.daysNotSeen - a.daysNotSeen || a.roomNumber.localeCompare(b.roomNumber))
  permits.sort((a, b) => (a.type === b.type ? a.daysLeft - b.daysLeft : a.type === 'permit_expired' ? -1 : 1))
  const items: InboxItem[] = [...notSeen, ...permits]
  await writeAudit(ctx.db, actor, 'inbox.read', { type: 'building', id: buildingId }, { returned: items.length })
  return { buildingId, asOf: new Date(now).toISOString(), notSeenDays: presence.notSeenDays, permitExpiringDays: PERMIT_EXPIRING_DAYS, items }
}
