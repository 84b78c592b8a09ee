// The jurisdiction's buildings on a plain map drawn in the page (SVG from each
// building's location: no tiles, nothing fetched): a dot per building in the
// colour of its worst live alert, a frame and name per grid, zoom buttons. A
// new critical alert centres the map on its building and rings it; choosing
// a building (click, or Enter on its focused dot) lists its live alerts.

import { useEffect, useMemo, useState } from 'preact/hooks'
import type { Alert } from '../../../../contract/schemas/alerts.ts'
import type { Area, Building } from '../../../../contract/schemas/registry.ts'
import { SEVERITIES, severityRank, type Severity } from '../../../../contract/vocabulary.ts'
import { Loaded } from '../../components/loading.tsx'
import { t } from '../../i18n/index.ts'
import { useLiveAlerts } from '../../live-alerts.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'
import { AlertRow, AlertTableHead } from './alert-row.tsx'
import { bySeverityThenNewest } from './queue-filters.ts'

const W = 800
const H = 520
const PAD = 70

interface Placed { building: Building; x: number; y: number }

/** Longitude and latitude onto the drawing: an equirectangular projection around the middle, good over a few kilometres. */
export function project (buildings: Building[]): Placed[] {
  const located = buildings.filter((b) => b.location !== null)
  if (located.length === 0) return []
  const lats = located.map((b) => b.location!.lat)
  const lons = located.map((b) => b.location!.lon)
  const midLat = (Math.min(...lats) + Math.max(...lats)) / 2
  const k = Math.cos(midLat * Math.PI / 180)
  const xs = lons.map((l) => l * k)
  const minX = Math.min(...xs)
  const maxY = Math.max(...lats)
  // At least ~200 m across, so that one building alone sits in the middle.
  const span = Math.max(Math.max(...xs) - minX, maxY - Math.min(...lats), 0.002)
  const scale = Math.min(W - 2 * PAD, H - 2 * PAD) / span
  const offX = (W - (Math.max(...xs) - minX) * scale) / 2
  const offY = (H - (maxY - Math.min(...lats)) * scale) / 2
  return located.map((b, i) => ({ building: b, x: offX + (xs[i]! - minX) * scale, y: offY + (maxY - b.location!.lat) * scale }))
}

export function worstSeverity (alerts: Alert[]): Severity | null {
  let worst: Severity | null = null
  for (const a of alerts) if (worst === null || severityRank(a.severity) > severityRank(worst)) worst = a.severity
  return worst
}

export function MapPage ({ base = '/dispatch' }: { base?: string }) {
  const data = useData(async () => {
    const [buildings, areas] = await Promise.all([api.request('GET /buildings'), api.request('GET /areas')])
    return { buildings, areas: new Map(areas.map((a) => [a.id, a])) }
  }, [])
  const [selected, setSelected] = useState<string | null>(null)
  const [ringed, setRinged] = useState<string | null>(null)
  const [view, setView] = useState({ cx: W / 2, cy: H / 2, zoom: 1 })
  const live = useLiveAlerts((a) => {
    if (a.severity === 'critical') {
      setRinged(a.buildingId)
      setSelected(a.buildingId)
    }
  })
  const placed = useMemo(() => project(data.value?.buildings ?? []), [data.value])
  // Centre on the ringed building once it is on the map.
  useEffect(() => {
    const p = placed.find((x) => x.building.id === ringed)
    if (p !== undefined) setView({ cx: p.x, cy: p.y, zoom: 2 })
  }, [ringed, placed])

  const byBuilding = useMemo(() => {
    const m = new Map<string, Alert[]>()
    for (const a of live.alerts.values()) m.set(a.buildingId, [...(m.get(a.buildingId) ?? []), a])
    return m
  }, [live.alerts])

  const w = W / view.zoom
  const h = H / view.zoom
  const viewBox = `${view.cx - w / 2} ${view.cy - h / 2} ${w} ${h}`
  const zoom = (f: number): void => setView((v) => ({ ...v, zoom: Math.min(8, Math.max(1, v.zoom * f)) }))

  return (
    <section>
      <h1>{t('dispatch.map.title')}</h1>
      <p class={live.connected ? 'live ok' : 'live lost'} role='status'>{live.connected ? t('live.connected') : t('live.reconnecting')}</p>
      <Loaded data={data}>
        {({ buildings, areas }) => (
          <>
            {placed.length === 0
              ? <p>{t('dispatch.map.noLocations')}</p>
              : (
                <div class='map-wrap'>
                  <div class='actions map-tools'>
                    <button type='button' onClick={() => zoom(1.5)} aria-label={t('dispatch.map.zoomIn')}>＋</button>
                    <button type='button' onClick={() => zoom(1 / 1.5)} aria-label={t('dispatch.map.zoomOut')}>－</button>
                    <button type='button' onClick={() => setView({ cx: W / 2, cy: H / 2, zoom: 1 })}>{t('dispatch.map.reset')}</button>
                  </div>
                  <svg class='map' viewBox={viewBox} role='group' aria-label={t('dispatch.map.title')}>
                    <rect class='map-ground' x={-W} y={-H} width={3 * W} height={3 * H} />
                    <text class='map-area-title' x={view.cx - w / 2 + 12 / view.zoom} y={view.cy - h / 2 + 24 / view.zoom} font-size={16 / view.zoom}>{jurisdictionName(areas)}</text>
                    <GridFrames placed={placed} areas={areas} zoom={view.zoom} />
                    {placed.map((p) => (
                      <BuildingDot
                        key={p.building.id} placed={p} zoom={view.zoom} alerts={byBuilding.get(p.building.id) ?? []}
                        selected={selected === p.building.id} ringed={ringed === p.building.id}
                        onChoose={() => setSelected(p.building.id)}
                      />
                    ))}
                  </svg>
                  <Legend />
                </div>
                )}
            {selected !== null && (
              <BuildingAlerts building={buildings.find((b) => b.id === selected)} alerts={byBuilding.get(selected) ?? []} base={base} onClose={() => { setSelected(null); setRinged(null) }} />
            )}
            <Unplaced buildings={buildings.filter((b) => b.location === null)} byBuilding={byBuilding} onChoose={setSelected} />
          </>
        )}
      </Loaded>
    </section>
  )
}

/** The name of the highest area one sees (the street of a police station). */
function jurisdictionName (areas: ReadonlyMap<string, Area>): string {
  const top = [...areas.values()].sort((a, b) => a.path.length - b.path.length)[0]
  return top?.name ?? ''
}

/** A dashed frame around the buildings of each grid, with the grid's name. */
function GridFrames ({ placed, areas, zoom }: { placed: Placed[]; areas: ReadonlyMap<string, Area>; zoom: number }) {
  const grids = new Map<string, Placed[]>()
  for (const p of placed) grids.set(p.building.gridId, [...(grids.get(p.building.gridId) ?? []), p])
  const m = 34 / zoom
  return (
    <g class='map-grids'>
      {[...grids].map(([gridId, ps]) => {
        const x = Math.min(...ps.map((p) => p.x)) - m
        const y = Math.min(...ps.map((p) => p.y)) - m
        return (
          <g key={gridId}>
            <rect class='map-grid' x={x} y={y} width={Math.max(...ps.map((p) => p.x)) + m - x} height={Math.max(...ps.map((p) => p.y)) + m - y} rx={8 / zoom} stroke-width={1.5 / zoom} />
            <text class='map-grid-name' x={x + 6 / zoom} y={y - 6 / zoom} font-size={13 / zoom}>{areas.get(gridId)?.name ?? gridId}</text>
          </g>
        )
      })}
    </g>
  )
}

function BuildingDot ({ placed: p, zoom, alerts, selected, ringed, onChoose }: {
  placed: Placed; zoom: number; alerts: Alert[]; selected: boolean; ringed: boolean; onChoose: () => void
}) {
  const worst = worstSeverity(alerts)
  const label = worst === null
    ? t('dispatch.map.dotQuiet', { name: p.building.name })
    : t('dispatch.map.dotAlerts', { name: p.building.name, n: alerts.length, severity: t(`severity.${worst}`) })
  return (
    <g
      class={`map-building sev-${worst ?? 'none'}${selected ? ' selected' : ''}`} data-building-id={p.building.id} data-severity={worst ?? 'none'}
      transform={`translate(${p.x} ${p.y}) scale(${1 / zoom})`} tabIndex={0} role='button' aria-label={label} aria-pressed={selected}
      onClick={onChoose} onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onChoose() } }}
    >
      {ringed && <circle class='map-ring' r={22} />}
      <circle class='map-dot' r={10} />
      {alerts.length > 0 && <text class='map-dot-count' y={4} text-anchor='middle'>{alerts.length}</text>}
      <text class='map-label' x={15} y={5}>{p.building.name}</text>
    </g>
  )
}

function Legend () {
  return (
    <ul class='map-legend' aria-label={t('dispatch.map.legend')}>
      {[...SEVERITIES].reverse().map((s) => <li key={s}><span class={`map-swatch sev-${s}`} aria-hidden='true' />{t(`severity.${s}`)}</li>)}
      <li><span class='map-swatch sev-none' aria-hidden='true' />{t('dispatch.map.quiet')}</li>
    </ul>
  )
}

function BuildingAlerts ({ building, alerts, base, onClose }: { building: Building | undefined; alerts: Alert[]; base: string; onClose: () => void }) {
  const [now] = useState(Date.now())
  if (building === undefined) return null
  return (
    <section class='card map-panel' aria-labelledby='map-panel-title'>
      <h2 id='map-panel-title'>{building.name} <span class='muted'>{building.address}</span></h2>
      {alerts.length === 0
        ? <p>{t('dispatch.map.noAlerts')}</p>
        : (
          <table class='queue'>
            <AlertTableHead />
            <tbody>
              {[...alerts].sort(bySeverityThenNewest).map((a) => <AlertRow key={a.id} alert={a} now={now} base={base} buildingName={building.name} timeZone={building.timeZone} />)}
            </tbody>
          </table>
          )}
      <div class='actions'><button type='button' onClick={onClose}>{t('dispatch.map.closePanel')}</button></div>
    </section>
  )
}

/** Buildings that have no location yet: listed, so that their alerts are not missed. */
function Unplaced ({ buildings, byBuilding, onChoose }: { buildings: Building[]; byBuilding: ReadonlyMap<string, Alert[]>; onChoose: (id: string) => void }) {
  if (buildings.length === 0) return null
  return (
    <section aria-labelledby='unplaced-title'>
      <h2 id='unplaced-title'>{t('dispatch.map.unplaced')}</h2>
      <ul class='unplaced'>
        {buildings.map((b) => {
          const worst = worstSeverity(byBuilding.get(b.id) ?? [])
          return (
            <li key={b.id}>
              <button type='button' class='link' onClick={() => onChoose(b.id)}>{b.name}</button>
              {worst !== null && <span class={`sev-badge sev-${worst}`}>{t(`severity.${worst}`)}</span>}
            </li>
          )
        })}
      </ul>
    </section>
  )
}
