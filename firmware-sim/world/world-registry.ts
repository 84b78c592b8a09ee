// What the landlords told the platform, as the world did it: who is registered
// where since when, which credentials were issued and revoked. Replayed in
// time order, it answers what a reader with an up-to-date allow-list decides
// for a credential, and what the registry says about it (the verdict the
// platform's credential rules give, docs/rules.md).

import { inWindows } from '../../protocol/index.ts'
import { endOfLocalDate, SITE_TIME_ZONE } from './local-time.ts'
import type { Action, CredentialSpec, ReaderResult, Site } from './model.ts'

export type Verdict = 'valid' | 'unknown' | 'foreign' | 'expired' | 'outside_window'

interface Stay { roomId: string; arrivedAt: number; departedAt: number | null; permitEnd: number | null }

export class WorldRegistry {
  private readonly credentials = new Map<string, CredentialSpec>()
  private readonly issued = new Map<string, number>()
  private readonly revoked = new Map<string, number>()
  private readonly stays = new Map<string, Stay>()

  constructor (site: Site) {
    for (const c of site.credentials) this.credentials.set(c.ref, c)
  }

  credential (ref: string): CredentialSpec {
    const c = this.credentials.get(ref)
    if (c === undefined) throw new Error(`unknown credential ref ${ref}`)
    return c
  }

  stay (person: string): Stay | undefined {
    return this.stays.get(person)
  }

  /** Applies a registry action (others are ignored). */
  apply (a: Action): void {
    switch (a.kind) {
      case 'register':
        this.stays.set(a.person, {
          roomId: a.roomId, arrivedAt: a.at, departedAt: null,
          permitEnd: a.permitValidUntil === undefined ? null : endOfLocalDate(a.permitValidUntil),
        })
        for (const c of a.credentials) this.issued.set(c, a.at)
        break
      case 'deregister': {
        const stay = this.stays.get(a.person)
        if (stay !== undefined) stay.departedAt = a.at
        for (const [ref, c] of this.credentials) {
          if (c.holder === a.person && !c.visitor && this.issued.has(ref) && !this.revoked.has(ref)) this.revoked.set(ref, a.at)
        }
        break
      }
      case 'issue':
      case 'visitor-pass':
        this.issued.set(a.credential, a.at)
        break
      case 'revoke':
        this.revoked.set(a.credential, a.at)
        break
      default:
        break
    }
  }

  /** What the platform's credential rules say about presenting `ref` at a door of `buildingId` at `t`. */
  verdict (ref: string, buildingId: string, t: number): Verdict {
    const c = this.credential(ref)
    if (c.kind === 'pin' || !this.issued.has(ref)) return 'unknown'
    if (c.buildingId !== buildingId) return 'foreign'
    if (this.expiredBecause(c, t) !== undefined) return 'expired'
    if (c.windows !== undefined && c.windows.length > 0 && !inWindows(t, c.windows, SITE_TIME_ZONE)) return 'outside_window'
    return 'valid'
  }

  /** Why a credential of this building no longer opens (undefined: it does), as the platform explains it. */
  expiredBecause (c: CredentialSpec, t: number): string | undefined {
    const stay = c.holder === null || c.visitor === true ? undefined : this.stays.get(c.holder)
    if (stay?.departedAt != null) return 'holder departed'
    if (this.revoked.has(c.ref)) return 'revoked'
    if (c.validFrom !== undefined && t < c.validFrom) return 'not valid yet'
    if (c.validUntil !== undefined && t >= c.validUntil) return 'validity ended'
    if (stay?.permitEnd != null && t > stay.permitEnd) return 'permit expired'
    return undefined
  }

  /** What a reader decides from an up-to-date allow-list (which carries validity, windows and the permit's end). */
  readerDecision (ref: string, buildingId: string, t: number): ReaderResult {
    const c = this.credential(ref)
    if (c.kind === 'pin' || !this.issued.has(ref) || this.revoked.has(ref) || c.buildingId !== buildingId) return 'denied'
    const stay = c.holder === null || c.visitor === true ? undefined : this.stays.get(c.holder)
    if (stay?.permitEnd != null && t > stay.permitEnd) return 'denied'
    if (c.validFrom !== undefined && t < c.validFrom) return 'denied'
    if (c.validUntil !== undefined && t >= c.validUntil) return 'denied'
    if (c.windows !== undefined && c.windows.length > 0 && !inWindows(t, c.windows, SITE_TIME_ZONE)) return 'denied'
    return 'granted'
  }

  /** The platform knows the credential (issued, possibly revoked since). */
  known (ref: string): boolean {
    return this.issued.has(ref)
  }
}
