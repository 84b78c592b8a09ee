// What the landlord's routes read of presence: the pipeline's in/out state,
// through this port only (the platform passes the pipeline's reader into the
// app's dependencies, as it passes DeviceConnectivity). Counts per room and a
// resident's latest passage; no names, no list of who is inside.

export interface PresenceReader {
  /** False before the pipeline has restored its state, and after it stopped: the figures below are then not known. */
  running (): boolean
  /** People (residents and visitors) the pipeline believes inside the room now. */
  observedInside (roomId: string): number
  /** Event time (ms) of the resident's latest passage at any door, if the pipeline knows one. */
  lastSeenAt (residentId: string): number | null
  /** Days unseen after which the pipeline suggests deregistration (RULE_NOT_SEEN_DAYS). */
  notSeenDays: number
}

/** A reader that knows nothing: for an app built without a pipeline (the OpenAPI document). */
export const NO_PRESENCE: PresenceReader = {
  running: () => false,
  observedInside: () => 0,
  lastSeenAt: () => null,
  notSeenDays: 30,
}
