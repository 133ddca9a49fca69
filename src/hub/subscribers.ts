/**
 * @module What a consumer of a device declares to its DeviceHub: the subscriber kinds (blocks,
 * batches, events, state, ticks; windows designed for the metrics stream), the delivery each
 * accepts, and the shared encodings. No wire format here: each subscriber hands in its encoder.
 */
import type { DeviceEvent } from "../core/device-events.ts";
import type { CoreErrorCode as ErrorCode } from "../core/errors.ts";
import type { HealthFigures } from "../core/link-health.ts";
import type { ReplayAllowance } from "../core/paced-replay.ts";
import type { SampleBatch, SampleBlock } from "../core/samples.ts";
import type { StatusCause, StatusState } from "../core/session-events.ts";
import type { DecodeStats } from "../decoder/types.ts";

/**
 * How a subscriber takes what the device produces (the policy is stated in device-hub.ts):
 * `lossless` may slow the source through `pressure` (only the recorder); `shed` never holds it.
 */
export type Delivery =
  | { readonly mode: "shed" }
  | { readonly mode: "lossless"; pressure(): Promise<void> | null };

/** The one shed delivery (sockets, MQTT, later LSL: their own bounded queue drops and counts). */
export const SHED: Delivery = Object.freeze({ mode: "shed" });

/**
 * An encoding shared by subscribers: those with equal `key` get the very same encoded value,
 * computed once per input (and not at all while nobody wants it).
 */
export interface Encoding<I, M> {
  readonly key: string;
  encode(input: I): M;
}

/** Every sample block at full rate, with the link's raw bytes when wanted (eeg_data, the recorder, LSL). */
export interface BlocksSubscriber<M = undefined> {
  readonly name: string;
  readonly delivery: Delivery;
  /** A shared encoding of each block (eeg_data's messages), else the block alone. */
  readonly encoding?: Encoding<SampleBlock, M>;
  onBlock(block: SampleBlock, encoded: M): void;
  /** Every raw chunk of the link as it arrived, before decoding (the raw recording). */
  onBytes?(bytes: Uint8Array): void;
}

/** The batching of a `batches` subscriber; the device's notch setting applies to every pipeline. */
export interface BatchSpec {
  /** Output samples per batch, 1–5000. */
  readonly numSamples: number;
  /** A non-empty batch leaves at the latest this long after its first sample, 10–10000 ms. */
  readonly intervalMs: number;
  /** One of 1, 2, 4, 5, 10, 20, 25, 50. */
  readonly decimate: number;
}

/** A resume from the ring: a private pipeline replays from `sinceSeq` (paced), then goes live. */
export interface ResumeSpec<M> {
  readonly sinceSeq: number;
  /** False while the receiver is backed up: the replay waits rather than queue or shed. */
  canSend(): boolean;
  /** The receiver's own replay allowance (the process-wide one is the hub's). */
  readonly allowance: ReplayAllowance;
  /** Bytes an encoded batch costs on the wire (charged to the allowances). */
  sizeOf(message: M): number;
}

/** Batches of the device's samples; subscribers with equal spec and encoding key share one pipeline. */
export interface BatchesSubscriber<M> {
  readonly name: string;
  readonly delivery: Delivery;
  readonly spec: BatchSpec;
  readonly encoding: Encoding<SampleBatch, M>;
  onBatch(message: M, batch: SampleBatch): void;
  /** Set for a resume: then the subscriber gets its own pipeline. */
  readonly resume?: ResumeSpec<M>;
}

/** Discrete device events (state changes, gaps, lead-off, battery, markers, recordings). */
export interface EventsSubscriber<M = undefined> {
  readonly name: string;
  readonly encoding?: Encoding<DeviceEvent, M>;
  onEvent(event: DeviceEvent, encoded: M): void;
}

/** The device's status changes and errors. */
export interface StateSubscriber {
  readonly name: string;
  onStatus?(state: StatusState, cause: StatusCause): void;
  onError?(code: ErrorCode, message: string): void;
}

/** The device's figures at one moment (what a diagnostics tick reports). */
export interface DeviceFigures {
  readonly nowMs: number;
  readonly deviceState: StatusState;
  readonly health: HealthFigures;
  readonly live: DecodeStats | null;
  readonly batteryLevel: number | null;
}

/** A tick every `intervalMs`, also while the device is idle (diagnostics). */
export interface TicksSubscriber {
  readonly name: string;
  readonly intervalMs: number;
  onTick(figures: DeviceFigures): void;
}

/**
 * Windows of `size` consecutive full-rate samples, one every `hop` samples (the metrics stream),
 * delivered `shed`; subscribers of equal (size, hop) share each window (windows.ts). A window is LENT:
 * its arrays are reused for the next one, so `onWindow` must not keep them.
 */
export interface WindowsSubscriber {
  readonly name: string;
  readonly size: number;
  readonly hop: number;
  onWindow(window: SampleBlock): void;
}

/** The kinds a hub serves. */
export type SubscriberKind = "blocks" | "batches" | "windows" | "events" | "state" | "ticks";

/** One entry of `DeviceHub.subscribers()`: who receives what of this device, and how. */
export interface SubscriberInfo {
  readonly kind: SubscriberKind;
  readonly name: string;
  readonly delivery: Delivery["mode"];
  /** The kind's options (batch spec + encoding key, resume seq, window size and hop, tick interval). */
  readonly options: Readonly<Record<string, unknown>>;
}

/** A subscription; `close()` ends it (idempotent). */
export interface Subscription {
  close(): void;
}

/** A `batches` subscription: where a resume really starts when part of the span was gone. */
export interface BatchSubscription extends Subscription {
  readonly resumedFrom?: number;
}
