// The registry's accounts as the broker's PersonDirectory: an MQTT login
// `user:<username>` with an API bearer token as password is the person the
// token belongs to, if the token is a live session of that very account.

import type { PersonDirectory, PersonLogin } from '../broker/ports.ts'
import type { Actor } from './access.ts'

export function personDirectory (users: { actorForToken (token: string): Promise<Actor | undefined> }): PersonDirectory {
  return {
    async actorForToken (username: string, token: string): Promise<PersonLogin | undefined> {
      const actor = await users.actorForToken(token)
      if (actor === undefined || actor.username !== username) return undefined
      const login: PersonLogin = { userId: actor.id, username: actor.username, role: actor.role }
      if (actor.areaPath !== undefined) login.areaPath = actor.areaPath
      return login
    },
  }
}
