// The uplink router: where each message the broker accepted goes next. It is
// the broker's sink, awaited before the device's PUBACK (broker/ports.ts).
// - replies to a command: to the command log and the allow-list pusher;
// - events and status: into the event log (durable, duplicates stop there),
//   then to the pipeline with their log position;
// - heartbeats: to the pipeline only (nothing to keep).
// Every fresh message is then offered to `accepted$` (load probes, tests).
// The path of an event by file names: broker/mqtt-broker.ts → this file →
// events/event-log.ts → pipeline/pipeline.ts → alerts/alert-service.ts →
// alerts/live-stream.ts.

import type { Observer } from 'rxjs'
import type { AllowlistPusher } from '../allowlist/allowlist-pusher.ts'
import type { AcceptedMessage, SinkRejection, UplinkSink } from '../broker/ports.ts'
import type { CommandLog } from '../devices/command-log.ts'
import type { EventLog } from '../events/event-log.ts'
import type { Pipeline } from '../pipeline/pipeline.ts'

export interface UplinkRoutes {
  commands: Pick<CommandLog, 'replied'>
  pusher: Pick<AllowlistPusher, 'handleReply'>
  eventLog: Pick<EventLog, 'append'>
  pipeline: Pick<Pipeline, 'push'>
  accepted$: Pick<Observer<AcceptedMessage>, 'next'>
}

const SEQ_REUSED: SinkRejection = {
  code: 'seq_reused',
  message: 'another event of this device already has this seq; seq must grow with every event, across restarts',
}

export class UplinkRouter implements UplinkSink {
  constructor (private readonly routes: UplinkRoutes) {}

  async accept (m: AcceptedMessage): Promise<void | SinkRejection> {
    const { commands, pusher, eventLog, pipeline, accepted$ } = this.routes
    if (m.channel === 'reply') {
      commands.replied(m.deviceId, m.payload)
      pusher.handleReply(m.buildingId, m.deviceId, m.payload)
      return
    }
    let logSeq: number | null = null
    if (m.channel !== 'heartbeat') {
      const logged = await eventLog.append(m)
      if (logged.conflict === 'seq_reused') return { ...SEQ_REUSED }
      if (!logged.fresh) return
      logSeq = logged.logSeq
    }
    pipeline.push(m, logSeq)
    accepted$.next(m)
  }
}
