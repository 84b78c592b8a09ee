// The police's grade-proposal queue (GET /grade-proposals): the proposals
// waiting for a decision in their area, and one proposal with the reasons it
// was made for, to confirm (a note optional) or reject (a reason required).
// Once decided, the page shows who decided when, and the grade it gave.

import { useState } from 'preact/hooks'
import type { GradeProposal } from '../../../../contract/routes/policy-routes.ts'
import type { User } from '../../../../contract/schemas/registry.ts'
import { ErrorText } from '../../components/error-text.tsx'
import { Loaded } from '../../components/loading.tsx'
import { formatDateTime } from '../../format.ts'
import { t } from '../../i18n/index.ts'
import { href } from '../../router.ts'
import { api } from '../../session.ts'
import { useAction } from '../../use-action.ts'
import { useData } from '../../use-data.ts'
import { GradeBadge, ScorePoints } from './score-points.tsx'

export function ProposalsPage ({ base }: { base: string }) {
  const data = useData(async () => {
    const [list, buildings] = await Promise.all([api.request('GET /grade-proposals'), api.request('GET /buildings')])
    const zones = new Map(buildings.map((b) => [b.id, b.timeZone]))
    return list.map((p) => ({ ...p, timeZone: zones.get(p.buildingId) }))
  }, [])
  return (
    <section>
      <h1>{t('policy.proposals.title')}</h1>
      <p class='muted'>{t('policy.proposals.intro')}</p>
      <Loaded data={data}>
        {(list) => list.length === 0
          ? <p>{t('policy.proposals.none')}</p>
          : (
            <table class='proposals'>
              <thead>
                <tr>
                  <th scope='col'>{t('policy.proposals.building')}</th>
                  <th scope='col'>{t('policy.proposals.change')}</th>
                  <th scope='col' class='num'>{t('policy.proposals.score')}</th>
                  <th scope='col'>{t('policy.proposals.proposedAt')}</th>
                  <th scope='col'>{t('policy.proposals.by')}</th>
                  <th scope='col'><span class='visually-hidden'>{t('policy.proposals.open')}</span></th>
                </tr>
              </thead>
              <tbody>
                {list.map((p) => (
                  <tr key={p.id} data-proposal={p.id}>
                    <td>{p.buildingName}</td>
                    <td><GradeBadge grade={p.fromGrade} /> → <GradeBadge grade={p.toGrade} /></td>
                    <td class='num'>{p.score}</td>
                    <td><time dateTime={p.proposedAt}>{formatDateTime(p.proposedAt, p.timeZone)}</time></td>
                    <td>{t(p.proposedBy === null ? 'policy.proposals.byJob' : 'policy.proposals.byPerson')}</td>
                    <td><a class='button' href={href(`${base}/grade-proposals/${encodeURIComponent(p.id)}`)}>{t('policy.proposals.open')}</a></td>
                  </tr>
                ))}
              </tbody>
            </table>
            )}
      </Loaded>
    </section>
  )
}

export function ProposalPage ({ id, base, user }: { id: string; base: string; user: User }) {
  const data = useData(async () => {
    const proposal = await api.request('GET /grade-proposals/:id', { params: { id } })
    const building = await api.request('GET /buildings/:id', { params: { id: proposal.buildingId } })
    return { proposal, building }
  }, [id])
  const [done, setDone] = useState('')
  return (
    <Loaded data={data}>
      {({ proposal: p, building }) => (
        <section>
          <p><a href={href(`${base}/grade-proposals`)}>← {t('policy.proposals.title')}</a></p>
          <h1>{t('policy.proposal.title', { name: p.buildingName })}</h1>
          <p class='muted'>{building.address}</p>
          <div class='card'>
            <dl class='facts'>
              <dt>{t('policy.proposals.change')}</dt>
              <dd><GradeBadge grade={p.fromGrade} /> → <GradeBadge grade={p.toGrade} /></dd>
              <dt>{t('policy.proposals.score')}</dt>
              <dd>{p.score}</dd>
              <dt>{t('policy.proposals.proposedAt')}</dt>
              <dd>{formatDateTime(p.proposedAt, building.timeZone)} · {t(p.proposedBy === null ? 'policy.proposals.byJob' : 'policy.proposals.byPerson')}</dd>
              <dt>{t('policy.proposals.status')}</dt>
              <dd data-testid='proposal-status'>{t(`policy.proposalStatus.${p.status}`)}</dd>
            </dl>
            <p><a href={href(`${base}/houses/${encodeURIComponent(p.buildingId)}/score`)}>{t('policy.proposal.houseScore')}</a></p>
          </div>
          {done !== '' && <p class='ok' role='status'>{done}</p>}
          {p.status === 'proposed'
            ? user.role === 'police' || user.role === 'admin'
              ? <Decide proposal={p} onDone={(text) => { setDone(text); data.reload() }} />
              : <p class='muted'>{t('policy.proposal.notDecider')}</p>
            : <Decided proposal={p} timeZone={building.timeZone} />}
          <h2>{t('policy.proposal.reasons')}</h2>
          <ScorePoints points={p.points} base={base} buildingId={p.buildingId} timeZone={building.timeZone} remedies={false} />
        </section>
      )}
    </Loaded>
  )
}

function Decided ({ proposal: p, timeZone }: { proposal: GradeProposal; timeZone: string }) {
  return (
    <div class='card'>
      <p>{t('policy.proposal.decided', { status: t(`policy.proposalStatus.${p.status}`), at: formatDateTime(p.decidedAt, timeZone) })}</p>
      {p.note !== null && <p>{t('policy.proposal.decidedNote', { note: p.note })}</p>}
    </div>
  )
}

/** Confirm with an optional note, or reject with a required one. */
function Decide ({ proposal: p, onDone }: { proposal: GradeProposal; onDone: (text: string) => void }) {
  const [note, setNote] = useState('')
  const [reason, setReason] = useState('')
  const confirm = useAction()
  const reject = useAction()
  const busy = confirm.busy || reject.busy
  return (
    <div class='decide'>
      <form
        class='card' aria-label={t('policy.proposal.confirm')} onSubmit={confirm.submit(async () => {
          const trimmed = note.trim()
          await api.request('POST /grade-proposals/:id/confirm', { params: { id: p.id }, body: trimmed === '' ? {} : { note: trimmed } })
          onDone(t('policy.proposal.confirmed', { grade: t(`grade.${p.toGrade}`) }))
        })}
      >
        <label>{t('policy.proposal.note')}<textarea name='confirmNote' rows={2} maxLength={1000} value={note} onInput={(e) => setNote(e.currentTarget.value)} /></label>
        <ErrorText error={confirm.error} />
        <div class='actions'><button type='submit' class='primary' disabled={busy}>{t('policy.proposal.confirm')}</button></div>
      </form>
      <form
        class='card' aria-label={t('policy.proposal.reject')} onSubmit={reject.submit(async () => {
          await api.request('POST /grade-proposals/:id/reject', { params: { id: p.id }, body: { note: reason.trim() } })
          onDone(t('policy.proposal.rejected'))
        })}
      >
        <label>{t('policy.proposal.rejectNote')}<textarea name='rejectNote' rows={2} required maxLength={1000} value={reason} onInput={(e) => setReason(e.currentTarget.value)} /></label>
        <ErrorText error={reject.error} />
        <div class='actions'><button type='submit' class='danger' disabled={busy || reason.trim() === ''}>{t('policy.proposal.reject')}</button></div>
      </form>
    </div>
  )
}
