/**
 * @module What a device session tells its owner, as typed domain events: the device state and
 * why it changed, device errors, and the samples of each decoded chunk. Wording for clients is
 * the protocol's business (src/protocol/status-text.ts).
 */
import type { CoreErrorCode as ErrorCode } from "./errors.ts";
import type { PacketBatch } from "../decoder/types.ts";
import type { SampleBlock } from "./samples.ts";

/** Device states, one to one with the wire states of docs/protocol/mw75.md §3.6. */
export type DeviceState =
  | "idle"
  | "connecting"
  | "connected"
  | "disconnecting"
  | "disconnected"
  | "error";
/**
 * A `status` event may also say `reconnecting`; the stored state never is. It is also the state
 * the bridge reports everywhere else (/health, diagnostics, state_change events) while an
 * auto-reconnect loop waits: `DeviceSession.reportedState`.
 */
export type StatusState = DeviceState | "reconnecting";

/** Why a status is announced. */
export type StatusCause =
  | { readonly kind: "connecting" }
  | { readonly kind: "connected" }
  /** Connected again by the reconnect loop, after `attempts` attempts. */
  | { readonly kind: "reconnected"; readonly attempts: number }
  /** `reason`: why the bridge itself disconnects (a `connect {duration_s}` ran out); absent for a client's `disconnect`. */
  | { readonly kind: "disconnecting"; readonly reason?: string }
  /** The disconnect procedure finished. */
  | { readonly kind: "idle"; readonly reason?: string }
  /** A disconnect with nothing active. */
  | { readonly kind: "no_device"; readonly reason?: string }
  /** The link ended or went silent. */
  | { readonly kind: "link_lost" }
  /** Opening or streaming failed (state `error`). */
  | { readonly kind: "failed"; readonly message: string }
  /** The reconnect loop waits `delayMs` before attempt `attempt` of `of`. */
  | {
    readonly kind: "reconnecting";
    readonly attempt: number;
    readonly of: number;
    readonly delayMs: number;
  }
  /** `auto_reconnect` was switched off while the loop waited: the stored state holds again. */
  | { readonly kind: "reconnect_stopped" };

/** Timing of one decoded chunk, for the link-health figures (diagnostics). */
export interface ChunkTiming {
  /** Host time the chunk arrived (Unix ms). */
  readonly arrivalMs: number;
  /** Time spent decoding it and building its samples (ms). */
  readonly decodeMs: number;
  /** EEG samples it carried (duplicates excluded). */
  readonly samples: number;
}

/** The session's listener. */
export interface SessionEvents {
  onStatus(state: StatusState, cause: StatusCause): void;
  /** A silent teardown put the session back to idle: no status is announced (docs/protocol/mw75.md §3.6), but listeners resync. */
  onQuietIdle?(): void;
  /** A device-level error (broadcast as `error`). */
  onError(code: ErrorCode, message: string): void;
  /** The EEG samples of one decoded chunk, in stream order (non-EEG packets never appear). */
  onSamples(block: SampleBlock): void;
  /** After each chunk, whether or not it held samples. */
  onChunk?(timing: ChunkTiming): void;
  /** Each raw chunk of the link before it is decoded (only called when someone listens). */
  onBytes?(bytes: Uint8Array): void;
  /** Asked after each chunk: a promise makes the reader wait (a recording whose disk is behind). */
  pressure?(): Promise<void> | null;
}

/** Turns the decoder's batches into SampleBlocks (seq and sample clock live for the device's lifetime). */
export interface BlockBuilder {
  /**
   * A new connection starts: its first seq is estimated from host time (docs/protocol/bridge-api.md §1).
   * `afterLinkLoss` is false when every connection since the last sample ended deliberately (the
   * seq jump is then no gap).
   */
  startConnection(afterLinkLoss: boolean): void;
  /** The EEG samples of one decoder batch that arrived at `arrivalMs`, or null when it has none. */
  fromBatch(batch: PacketBatch, arrivalMs: number): SampleBlock | null;
}
