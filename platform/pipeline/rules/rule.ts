// What every rule is made of: a pure step over one input (event or tick),
// the shared state and the registry view, returning the alert candidates it
// proposes; and `ruleOf`, the thin operator that turns a step into a
// detector over the input stream. Steps never read the clock or the database:
// time comes from the events (device clock) and the ticks (platform clock).

import { Observable } from 'rxjs'
import type { AlertCandidate, PipelineInput, RegistryView, RuleParams } from '../model.ts'
import type { PipelineState } from '../state.ts'

export interface RuleContext {
  view: RegistryView
  params: RuleParams
  state: PipelineState
}

export type Step = (input: PipelineInput, ctx: RuleContext) => readonly AlertCandidate[] | undefined

export type Detector = (input$: Observable<PipelineInput>, ctx: RuleContext) => Observable<AlertCandidate>

export const NONE: readonly AlertCandidate[] = Object.freeze([])

/** A detector that runs `step` on every input, in order, and emits what it returns. */
export function ruleOf (step: Step): Detector {
  return (input$, ctx) => new Observable<AlertCandidate>((out) => input$.subscribe({
    next: (input) => {
      const found = step(input, ctx)
      if (found !== undefined) for (const c of found) out.next(c)
    },
    error: (err: unknown) => out.error(err),
    complete: () => out.complete(),
  }))
}

/**
 * Level conditions (offline, overcrowded, not seen, ...) are raised once per
 * episode: the first time they hold, not on every event while they hold.
 */
export function raiseOnce (ctx: RuleContext, c: AlertCandidate, cause?: string): readonly AlertCandidate[] {
  if (ctx.state.latched.has(c.dedupKey)) return NONE
  ctx.state.latched.set(c.dedupKey, cause === undefined ? { at: c.at, buildingId: c.buildingId } : { at: c.at, buildingId: c.buildingId, cause })
  return [c]
}

/** The condition cleared: resolve its alert if this rule raised one. */
export function clearOnce (
  ctx: RuleContext, c: Pick<AlertCandidate, 'type' | 'dedupKey' | 'buildingId' | 'at'> & Partial<AlertCandidate>,
): readonly AlertCandidate[] {
  if (!ctx.state.latched.delete(c.dedupKey)) return NONE
  return [{ severity: 'info', evidence: [], explanation: 'The condition cleared.', ...c, clears: true }]
}

/** Last `n` of a list of refs plus one more. */
export function appendRef (refs: readonly string[], ref: string, n = 20): string[] {
  const out = refs.length >= n ? refs.slice(refs.length - n + 1) : [...refs]
  out.push(ref)
  return out
}

/** Shows the last four characters of a card or token, e.g. `…3F9A`. */
export function maskValue (value: string): string {
  return value.length <= 4 ? '…' : `…${value.slice(-4)}`
}

export const minutes = (ms: number): string => `${Math.round(ms / 60_000)} min`
export const days = (ms: number): string => `${Math.floor(ms / 86_400_000)} days`
