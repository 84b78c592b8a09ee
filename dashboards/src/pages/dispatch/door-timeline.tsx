// What happened at the alert's door from a minute before its first occurrence
// to a minute after its latest (GET /buildings/:id/doors/:door/events; the
// platform audits the read): swipes, door states, people counted, with the
// events behind the alert marked and a camera's snapshot reference shown.

import type { Alert } from '../../../../contract/schemas/alerts.ts'
import type { LoggedEvent } from '../../../../contract/routes/record-routes.ts'
import { Loaded } from '../../components/loading.tsx'
import { formatDateTime } from '../../format.ts'
import { hasText, t } from '../../i18n/index.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'

const MARGIN_MS = 60_000
/** Past this span the timeline shows the minute around the latest occurrence only. */
const LONGEST_SPAN_MS = 60 * 60_000

export function timelineRange (a: Pick<Alert, 'firstAt' | 'lastAt'>): { from: string; to: string; latestOnly: boolean } {
  const first = Date.parse(a.firstAt)
  const last = Date.parse(a.lastAt)
  const latestOnly = last - first > LONGEST_SPAN_MS
  return {
    from: new Date((latestOnly ? last : first) - MARGIN_MS).toISOString(),
    // `to` is exclusive: one millisecond more keeps an event exactly a minute after.
    to: new Date(last + MARGIN_MS + 1).toISOString(),
    latestOnly,
  }
}

export function DoorTimeline ({ alert: a, door, timeZone }: { alert: Alert; door: string; timeZone: string | undefined }) {
  const range = timelineRange(a)
  const data = useData(() => api.request('GET /buildings/:id/doors/:door/events', {
    params: { id: a.buildingId, door }, query: { from: range.from, to: range.to, limit: 500 },
  }), [a.id, door, range.from, range.to])
  const evidence = new Set(a.evidence)
  return (
    <section class='timeline' aria-labelledby='timeline-title'>
      <h2 id='timeline-title'>{t('dispatch.timeline.title', { door })}</h2>
      <p class='muted'>
        {t(range.latestOnly ? 'dispatch.timeline.rangeLatest' : 'dispatch.timeline.range', { from: formatDateTime(range.from, timeZone), to: formatDateTime(range.to, timeZone) })}
      </p>
      <Loaded data={data}>
        {(events) => events.length === 0
          ? <p>{t('dispatch.timeline.empty')}</p>
          : (
            <table class='timeline'>
              <thead>
                <tr>
                  <th scope='col'>{t('dispatch.timeline.at')}</th>
                  <th scope='col'>{t('dispatch.timeline.what')}</th>
                  <th scope='col'>{t('dispatch.timeline.device')}</th>
                  <th scope='col'>{t('dispatch.timeline.snapshot')}</th>
                </tr>
              </thead>
              <tbody>
                {events.map((e) => <TimelineRow key={e.logSeq} event={e} evidence={evidence.has(`${e.deviceId}/${e.eventId}`)} timeZone={timeZone} />)}
              </tbody>
            </table>
            )}
      </Loaded>
    </section>
  )
}

function TimelineRow ({ event: e, evidence, timeZone }: { event: LoggedEvent; evidence: boolean; timeZone: string | undefined }) {
  const snapshot = typeof e.payload.snapshot === 'string' ? e.payload.snapshot : null
  return (
    <tr class={evidence ? 'evidence' : undefined} data-event-id={e.eventId}>
      <td><time dateTime={e.at}>{formatDateTime(e.at, timeZone)}</time></td>
      <td>
        {evidence && <span class='badge evidence-mark'>{t('dispatch.timeline.evidence')}</span>}
        {describeEvent(e)}
      </td>
      <td class='muted'>{e.deviceId}</td>
      <td>{snapshot === null ? '—' : <code class='snapshot' title={t('dispatch.timeline.snapshotHint')}>{snapshot}</code>}</td>
    </tr>
  )
}

/** One event in words, from its channel and the payload fields the protocol defines. */
export function describeEvent (e: LoggedEvent): string {
  const p = e.payload
  const text = (key: string, fallback: unknown): string => (hasText(key) ? t(key) : String(fallback))
  switch (e.channel) {
    case 'event/access': {
      const kind = (p.credential as { kind?: unknown } | undefined)?.kind
      const parts = [
        text(`dispatch.event.direction.${String(p.direction)}`, p.direction),
        kind === undefined ? '' : text(`credentialKind.${String(kind)}`, kind),
        text(`dispatch.event.result.${String(p.result)}`, p.result),
      ]
      if (typeof p.reason === 'string') parts.push(t('dispatch.event.reasonWrap', { reason: text(`dispatch.event.reason.${p.reason}`, p.reason) }))
      return parts.filter((x) => x !== '').join(' · ')
    }
    case 'event/door': {
      const s = text(`dispatch.event.door.${String(p.state)}`, p.state)
      return typeof p.durationS === 'number' ? `${s} · ${t('time.seconds', { n: p.durationS })}` : s
    }
    case 'event/person':
      return t('dispatch.event.person', { n: Number(p.count ?? 0) }) + (typeof p.zone === 'string' ? ` · ${p.zone}` : '')
    case 'event/line':
      return t('dispatch.event.line', { in: Number(p.in ?? 0), out: Number(p.out ?? 0) })
    default:
      return e.channel
  }
}
