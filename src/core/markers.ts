/**
 * @module Event markers (docs/protocol/bridge-api.md §4.2): a label at a time, placed on the sample stream by the
 * sample clock so it lands on the right sample in recordings and on the `events` stream.
 */

/** A marker as every consumer sees it. */
export interface Marker {
  readonly id: string;
  readonly label: string;
  readonly value: number | null;
  /** Unix seconds: the client's time when it gave one, else when the bridge received it. */
  readonly timestamp: number;
  readonly durationS: number;
  /** The sample at or just after `timestamp` (null while the device has produced no sample yet). */
  readonly seq: number | null;
  /** Where it came from when not a client of this bridge: `lsl:<stream>@<host>` (bridge-api §10). */
  readonly source: string | null;
}

/** What a marker request holds once validated. */
export interface MarkerRequest {
  label: string;
  value: number | null;
  /** Unix seconds, or null for "now". */
  timestamp: number | null;
  durationS: number;
  /** Set by the LSL marker inlet; clients' markers have none. */
  source?: string | null;
}

/**
 * Places `request` on the stream: its time (given or `nowMs`) and the seq there. A time before the
 * stream's first sample (seq 0) gets seq 0, the sample just after it: a seq is never negative.
 */
export function placeMarker(
  request: MarkerRequest,
  id: string,
  nowMs: number,
  seqAt: (timeMs: number) => number | null,
): Marker {
  const timestamp = request.timestamp ?? nowMs / 1000;
  const seq = seqAt(timestamp * 1000);
  return {
    id,
    label: request.label,
    value: request.value,
    timestamp,
    durationS: request.durationS,
    seq: seq === null ? null : Math.max(0, seq),
    source: request.source ?? null,
  };
}
