// What every rule is made of: a step over one input (event or tick), the
// shared state (which it may change) and the registry view, returning the
// alert candidates it proposes; and `ruleOf`, the thin operator that turns a
// step into a detector over the input stream. Steps never read the clock or
// the database: time comes from the events (device clock) and the ticks
// (platform clock).
// A step that throws (a bug, a state it did not expect) fails for that input
// only: the pipeline counts and logs it per rule, and every other rule still
// judges the input.

import { Observable } from 'rxjs'
import type { AlertCandidate, PipelineInput, RegistryView, RuleParams } from '../model.ts'
import { says } from '../../../contract/alert-wording.ts'
import type { PipelineState } from '../state.ts'
import { maskCredentialValue } from '../../../contract/masking.ts'

export interface RuleContext {
  view: RegistryView
  params: RuleParams
  state: PipelineState
  /**
   * Told when a step (a rule's, or the state tracker's as `state`) threw on an input; the input goes on to the
   * other rules. Absent (unit tests of one rule), the error is thrown: a bug there shows at once.
   */
  failed?: (rule: string, err: unknown, input: PipelineInput) => void
}

export type Step = (input: PipelineInput, ctx: RuleContext) => readonly AlertCandidate[] | undefined

export type Detector = (input$: Observable<PipelineInput>, ctx: RuleContext) => Observable<AlertCandidate>

export const NONE: readonly AlertCandidate[] = Object.freeze([])

/**
 * A detector that runs `step` on every input, in order, and emits what it returns. `name` (the rule's file
 * name by default: stepDoorForced -> door-forced) is what its failures are counted under.
 */
export function ruleOf (step: Step, name = ruleName(step)): Detector {
  return (input$, ctx) => new Observable<AlertCandidate>((out) => input$.subscribe({
    next: (input) => {
      const found = guarded(ctx, name, input, step)
      if (found !== undefined) for (const c of found) out.next(c)
    },
    error: (err: unknown) => out.error(err),
    complete: () => out.complete(),
  }))
}

/**
 * Runs one step on one input. A throw inside an RxJS subscriber is re-thrown by RxJS on a later turn of the
 * event loop, out of reach of any catch, and ends the process: it is caught here and reported instead.
 */
export function guarded<T> (ctx: RuleContext, rule: string, input: PipelineInput, step: (input: PipelineInput, ctx: RuleContext) => T): T | undefined {
  if (ctx.failed === undefined) return step(input, ctx)
  try {
    return step(input, ctx)
  } catch (err) {
    ctx.failed(rule, err, input)
    return undefined
  }
}

/** `stepTailgating` -> `tailgating`, `stepDoorHeldOpen` -> `door-held-open`. */
export function ruleName (step: Step): string {
  const base = step.name.replace(/^step/, '')
  return base === '' ? 'unnamed' : base.replace(/(?<!^)([A-Z])/g, '-$1').toLowerCase()
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

/**
 * A level condition with a size (people inside, registrations, seconds):
 * raised once per episode like raiseOnce; while raised, proposed again as an
 * update (`updates: true`) whenever what its alert says no longer holds: the
 * level moved by more than `tolerance` from the one last proposed, or
 * `detail` (anything else the explanation states, such as the capacity)
 * changed. So an open alert's level and explanation follow the condition
 * while it lasts, without a new alert and without counting occurrences.
 */
export function raiseLevel (
  ctx: RuleContext, c: AlertCandidate & { level: number }, o: { detail?: string; tolerance?: number } = {},
): readonly AlertCandidate[] {
  const detail = o.detail ?? ''
  const latch = ctx.state.latched.get(c.dedupKey)
  if (latch === undefined) {
    ctx.state.latched.set(c.dedupKey, { at: c.at, buildingId: c.buildingId, level: c.level, detail })
    return [c]
  }
  if (latch.level !== undefined && Math.abs(c.level - latch.level) <= (o.tolerance ?? 0) && latch.detail === detail) return NONE
  latch.level = c.level
  latch.detail = detail
  return [{ ...c, updates: true }]
}

/** The condition cleared: resolve its alert if this rule raised one. */
export function clearOnce (
  ctx: RuleContext, c: Pick<AlertCandidate, 'type' | 'dedupKey' | 'buildingId' | 'at'> & Partial<AlertCandidate>,
): readonly AlertCandidate[] {
  if (!ctx.state.latched.delete(c.dedupKey)) return NONE
  return [{ severity: 'info', evidence: [], ...says('cleared', {}), ...c, clears: true }]
}

/** Last `n` of a list of refs plus one more. */
export function appendRef (refs: readonly string[], ref: string, n = 20): string[] {
  const out = refs.length >= n ? refs.slice(refs.length - n + 1) : [...refs]
  out.push(ref)
  return out
}

/** Shows the last four characters of a card or token, e.g. `…3F9A`. */
/** A credential's value as shown: its last 4 characters (contract/masking.ts). */
export const maskValue = maskCredentialValue

export const minutes = (ms: number): string => `${Math.round(ms / 60_000)} min`
