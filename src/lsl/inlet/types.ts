/** @module The marker inlet's types: the options, what it hands on, its /health figures, and its per-stream state. */
import type { Clock } from "../../core/clock.ts";
import type { Logger } from "../../ports/logger.ts";
import type { LslTime } from "../clock.ts";
import type { Scope } from "../wire/constants.ts";
import type { FeedSample } from "../wire/feed-decode.ts";
import type { StreamInfo } from "../wire/stream-info.ts";
import type { Feed } from "./feed-reader.ts";
import type { TimeSync } from "./time-sync.ts";
import type { OnceSet } from "./udp.ts";

/** A marker read from an LSL stream. */
export interface ReceivedMarker {
  readonly label: string;
  /** The sample's timestamp, on the sender's LSL clock (s). */
  readonly lslTime: number;
  /** Seconds added to map the sender's clock onto ours (0 if no estimate came in time). */
  readonly timeCorrection: number;
  /** Unix seconds on the bridge's clock: `time.toUnix(lslTime + timeCorrection)`. */
  readonly unixTime: number;
  /** `lsl:<name>@<hostname>`. */
  readonly source: string;
  readonly stream: {
    readonly name: string;
    readonly hostname: string;
    readonly sourceId: string;
    readonly uid: string;
  };
}

export interface MarkerInletOptions {
  readonly query: string;
  readonly scope: Scope;
  readonly sessionId: string;
  readonly knownPeers: readonly string[];
  readonly time: LslTime;
  readonly clock: Clock;
  readonly log: Logger;
  /** The uids of the bridge's own outlets, never read back. */
  readonly ownUids: () => ReadonlySet<string>;
  /** Streams never read although they match (a bridge's marker outlets: markers would circle). */
  readonly ignore?: (info: StreamInfo) => boolean;
  /** Hands a marker on; `false` means the wiring refused it (counted as `rejected`). */
  readonly onMarker: (m: ReceivedMarker) => boolean | void;
}

/** One stream's line in /health (snake_case, as served). */
export interface InletFigures {
  readonly name: string;
  readonly hostname: string;
  readonly source_id: string;
  readonly connected: boolean;
  readonly markers: number;
  /** Of those, the markers the consumer refused. */
  readonly rejected: number;
  readonly time_correction_ms: number | null;
}

/** The inlet's state of one stream (by source_id, else uid); internal to marker-inlet.ts. */
export interface Entry {
  info: StreamInfo;
  sync: TimeSync;
  feed: Feed | null;
  connected: boolean;
  nextAttemptMs: number;
  markers: number;
  /** Markers the consumer refused (onMarker returned false). */
  rejected: number;
  waiting: FeedSample[];
  /** The first estimate did not come within FIRST_ESTIMATE_WAIT_MS: later markers stop waiting for it. */
  gaveUp: boolean;
  /** Markers when the current feed opened; a feed lost without new ones makes the stream `flapping`. */
  markersAtOpen: number;
  /** Lost without delivering: further opens and losses stay quiet until markers flow again. */
  flapping: boolean;
  problems: OnceSet;
}
