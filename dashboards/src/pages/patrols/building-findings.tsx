// The patrol findings of a landlord's building, on its page: what to put
// right and by when, and what the re-inspections found. Never the
// patrollers' notes (the platform does not send them to a landlord).

import { Loaded } from '../../components/loading.tsx'
import { t } from '../../i18n/index.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'
import { FindingCard } from './finding-card.tsx'
import './patrols.css'

export function BuildingFindings ({ buildingId, timeZone }: { buildingId: string; timeZone: string }) {
  const data = useData(async () => await api.request('GET /buildings/:id/findings', { params: { id: buildingId } }), [buildingId])
  return (
    <section class='building-findings' aria-label={t('patrols.landlord.title')}>
      <h2>{t('patrols.landlord.title')}</h2>
      <Loaded data={data}>
        {(findings) => findings.length === 0
          ? <p class='muted'>{t('patrols.finding.none')}</p>
          : (
            <>
              <p class='muted'>{t('patrols.landlord.hint')}</p>
              <ul class='grid-cards'>{findings.map((f) => <li key={f.id}><FindingCard finding={f} timeZone={timeZone} /></li>)}</ul>
            </>
            )}
      </Loaded>
    </section>
  )
}
