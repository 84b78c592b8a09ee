// What became of the commands sent to each device: sent, then `ok` or
// `error` when its reply (same requestId) arrives, or `no_reply` once the
// reply is overdue. Kept in memory, the latest few per device: enough for a
// landlord to see that the door really opened, or why not.

import type { CommandName, CommandReply } from '../../protocol/index.ts'

export type CommandStatus = 'sent' | 'ok' | 'error' | 'no_reply'

export interface CommandRecord {
  requestId: string
  command: CommandName
  sentAt: string
  status: CommandStatus
  repliedAt: string | null
  error: { code: string; message: string } | null
}

export interface CommandLogOptions {
  now?: () => number
  /** A reply later than this is overdue; default 30 s. */
  replyTimeoutMs?: number
  /** Records kept per device; default 50. */
  perDevice?: number
}

export class CommandLog {
  private readonly byDevice = new Map<string, CommandRecord[]>()
  private readonly now: () => number

  constructor (private readonly o: CommandLogOptions = {}) {
    this.now = o.now ?? Date.now
  }

  sent (deviceId: string, command: CommandName, requestId: string): void {
    let list = this.byDevice.get(deviceId)
    if (list === undefined) this.byDevice.set(deviceId, list = [])
    list.push({ requestId, command, sentAt: new Date(this.now()).toISOString(), status: 'sent', repliedAt: null, error: null })
    const cap = this.o.perDevice ?? 50
    if (list.length > cap) list.splice(0, list.length - cap)
  }

  /** A reply from the device; replies to commands not in the log are ignored. */
  replied (deviceId: string, reply: CommandReply): void {
    const record = this.byDevice.get(deviceId)?.find((r) => r.requestId === reply.requestId)
    if (record === undefined) return
    record.status = reply.status
    record.repliedAt = new Date(this.now()).toISOString()
    record.error = reply.status === 'error' && reply.error !== undefined ? { code: reply.error.code, message: reply.error.message } : null
  }

  /** The device's latest commands, newest first. */
  recent (deviceId: string): CommandRecord[] {
    const list = this.byDevice.get(deviceId) ?? []
    const overdue = this.now() - (this.o.replyTimeoutMs ?? 30_000)
    for (const r of list) if (r.status === 'sent' && Date.parse(r.sentAt) < overdue) r.status = 'no_reply'
    return [...list].reverse().map((r) => ({ ...r }))
  }

  forget (deviceId: string): void {
    this.byDevice.delete(deviceId)
  }
}
