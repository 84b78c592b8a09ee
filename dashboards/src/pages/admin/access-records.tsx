// Access events as the records police platforms take (GET /access-records):
// who opened (the name as the viewer's role may see it, the ID number
// masked), the house they are registered in, when (the building's local
// time) and how. Shown a page at a time for the days chosen, with the same
// records as a CSV file to download. Every page read is audited.

import { useState } from 'preact/hooks'
import type { AccessRecordPage } from '../../../../contract/routes/exchange-routes.ts'
import { DEFAULT_TIME_ZONE, todayIn, zonedInstant } from '../../format.ts'
import { t, type MessageKey } from '../../i18n/index.ts'
import { api } from '../../session.ts'
import { useAction } from '../../use-action.ts'
import { AdminError } from './admin-errors.tsx'
import { areaOptions } from './area-names.ts'

const PAGE = 100

export function AccessRecords ({ areas }: { areas: Parameters<typeof areaOptions>[0] }) {
  const today = todayIn(DEFAULT_TIME_ZONE)
  const [from, setFrom] = useState(today)
  const [to, setTo] = useState(today)
  // The records are asked for one area (and what lies below it): the widest the viewer has, first in the list.
  const options = areaOptions(areas)
  const [areaId, setAreaId] = useState(options[0]?.area.id ?? '')
  const [page, setPage] = useState<AccessRecordPage | undefined>(undefined)
  const query = (after?: number): Record<string, string> => {
    const end = new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
    return {
      from: zonedInstant(from, '00:00', DEFAULT_TIME_ZONE), to: zonedInstant(end, '00:00', DEFAULT_TIME_ZONE), limit: String(PAGE),
      areaId, ...(after === undefined ? {} : { afterLogSeq: String(after) }),
    }
  }
  const load = useAction()
  const show = (after?: number): void => {
    void load.run(async () => {
      const next = await api.request('GET /access-records', { query: query(after) as never })
      setPage(after === undefined || page === undefined ? next : { items: [...page.items, ...next.items], nextAfterLogSeq: next.nextAfterLogSeq })
    })
  }
  const valid = from !== '' && to !== '' && from <= to && areaId !== ''
  return (
    <form class='form card' aria-labelledby='records-title' onSubmit={(e) => { e.preventDefault(); if (valid) show() }}>
      <h2 id='records-title'>{t('exchange.records.title')}</h2>
      <p class='muted'>{t('exchange.records.intro')}</p>
      <label>{t('exchange.records.from')} <input type='date' name='recordsFrom' value={from} max={today} onInput={(e) => setFrom(e.currentTarget.value)} required /></label>
      <label>{t('exchange.records.to')} <input type='date' name='recordsTo' value={to} max={today} onInput={(e) => setTo(e.currentTarget.value)} required /></label>
      <label>
        {t('admin.webhooks.area')}
        <select name='recordsArea' value={areaId} onChange={(e) => setAreaId(e.currentTarget.value)} required>
          {options.map((o) => <option key={o.area.id} value={o.area.id}>{o.label}</option>)}
        </select>
      </label>
      {!valid && <p role='alert'>{t('exchange.records.badRange')}</p>}
      <div class='actions'>
        <button type='submit' class='primary' disabled={!valid || load.busy}>{t('exchange.records.show')}</button>
        {valid && <a class='button' href={`/access-records.csv?${new URLSearchParams({ ...query(), limit: '5000' }).toString()}`} download>{t('exchange.records.csv')}</a>}
      </div>
      {load.error !== undefined && <AdminError error={load.error} />}
      {page !== undefined && (page.items.length === 0
        ? <p class='muted'>{t('exchange.records.none')}</p>
        : (
          <div class='table-wrap'>
            <table>
              <caption>{t('exchange.records.count', { n: String(page.items.length) })}</caption>
              <thead>
                <tr>
                  <th scope='col'>{t('exchange.records.time')}</th><th scope='col'>{t('exchange.records.place')}</th>
                  <th scope='col'>{t('exchange.records.how')}</th><th scope='col'>{t('exchange.records.person')}</th>
                  <th scope='col'>{t('exchange.records.house')}</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((r) => (
                  <tr key={r.logSeq}>
                    <td>{r.localTime}</td>
                    <td>{r.buildingAddress} · {r.door}</td>
                    <td>
                      {t(`dispatch.event.direction.${r.direction}` as MessageKey)} · {t(`credentialKind.${r.method}` as MessageKey)}
                      {r.credentialMasked === null ? '' : ` ${r.credentialMasked}`} · {t(`dispatch.event.result.${r.result}` as MessageKey)}
                    </td>
                    <td>{r.person === null ? (r.visitor ? t('exchange.records.visitor') : t('exchange.records.nobody')) : `${r.person.name} · ${r.person.idNumberMasked}`}</td>
                    <td>{r.registeredAt === null ? '—' : `${r.registeredAt.address} ${r.registeredAt.roomNumber}`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          ))}
      {page?.nextAfterLogSeq != null && (
        <div class='actions'><button type='button' disabled={load.busy} onClick={() => show(page.nextAfterLogSeq!)}>{t('exchange.records.more')}</button></div>
      )}
    </form>
  )
}
