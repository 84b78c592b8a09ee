// Command handling as the protocol asks (§8): decode and check, answer a
// command that cannot be read with `invalid_command`, carry out each
// requestId once and answer a redelivered one with the same reply again.
// The network edge hands payloads in and publishes what comes out.

import {
  decodeCommand,
  isCommandName,
  type CommandName,
  type CommandPayloads,
  type CommandReply,
  type ReplyError,
} from '../index.ts'

export type ReplyBody =
  | { status: 'ok'; data?: Record<string, unknown> }
  | { status: 'error'; error: ReplyError }

export type CommandExecutor = <N extends CommandName>(name: N, command: CommandPayloads[N]) => ReplyBody | Promise<ReplyBody>

const REMEMBERED_REPLIES = 256

export const errorBody = (code: string, message: string): ReplyBody => ({ status: 'error', error: { code, message: message.slice(0, 500) } })

export class CommandHandler {
  private readonly replies = new Map<string, CommandReply>()

  constructor (private readonly execute: CommandExecutor) {}

  /**
   * The reply to a command payload that arrived under `command/{name}`, or
   * undefined when there is nobody to answer (no readable requestId, or a
   * name that is not a command).
   */
  async handle (name: string, payload: Uint8Array): Promise<CommandReply | undefined> {
    if (!isCommandName(name)) return undefined
    const decoded = decodeCommand(name, payload)
    if (!decoded.ok) {
      if (decoded.requestId === undefined) return undefined
      return reply(decoded.requestId, name, errorBody('invalid_command', decoded.message))
    }
    const command = decoded.value
    const seen = this.replies.get(command.requestId)
    if (seen !== undefined) return seen
    let body: ReplyBody
    try {
      body = await this.execute(name, command)
    } catch (err) {
      body = errorBody('internal', err instanceof Error ? err.message : String(err))
    }
    const r = reply(command.requestId, name, body)
    this.replies.set(command.requestId, r)
    if (this.replies.size > REMEMBERED_REPLIES) this.replies.delete(this.replies.keys().next().value!)
    return r
  }
}

function reply (requestId: string, command: CommandName, body: ReplyBody): CommandReply {
  return body.status === 'ok'
    ? { requestId, command, status: 'ok', ...(body.data === undefined ? {} : { data: body.data }) }
    : { requestId, command, status: 'error', error: body.error }
}
