// Fastify's per-request log lines: one per request, at debug, when it is
// answered (method, redacted URL, status, time), instead of two at info; a
// request that ends in an error is still logged at error. A busy API would
// otherwise fill an info log with its own traffic.

import { LogController, type FastifyReply, type FastifyRequest } from 'fastify'
import { redactUrl } from '../logger.ts'

export class RequestLog extends LogController {
  override incomingRequest (): void {}

  override requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return
    const responseTime = Math.round(reply.elapsedTime * 10) / 10
    const line = `${request.method} ${redactUrl(request.url)} ${reply.statusCode} ${responseTime} ms`
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime }, `${line}: request errored`)
    else reply.log.debug({ req: request, res: reply, responseTime }, line)
  }
}
