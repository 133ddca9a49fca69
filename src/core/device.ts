/**
 * @module One device as the rest of the bridge sees it: its session, the typed sample stream, the
 * 60-s ring buffer for resume, link-health figures and discrete events. It reports to ONE listener,
 * its subscription hub (src/hub), where every consumer attaches; no wire format in core.
 */
import type { Decoder } from "../decoder/types.ts";
import type { Clock } from "./clock.ts";
import type { DeviceEvent } from "./device-events.ts";
import { LeadOffTracker } from "./device-events.ts";
import { placeMarker } from "./markers.ts";
import type { Marker, MarkerRequest } from "./markers.ts";
import type { CoreErrorCode as ErrorCode } from "./errors.ts";
import { LinkHealth } from "./link-health.ts";
import type { DeviceSource } from "../ports/device-source.ts";
import type { Logger } from "../ports/logger.ts";
import { createBlockBuilder } from "./sample-blocks.ts";
import { SampleRing } from "./sample-ring.ts";
import type { SampleBlock } from "./samples.ts";
import type { StatusCause, StatusState } from "./session-events.ts";
import { DeviceSession } from "./session.ts";

/** What a device needs; timings are overridable for tests. */
export interface DeviceOptions {
  source: DeviceSource;
  decoder: Decoder;
  clock: Clock;
  /** The session's own logger and the one handed to the source. */
  log: Logger;
  sourceLog: Logger;
  reconnectBaseMs?: number;
  noDataTimeoutMs?: number;
  /** Samples kept for resume (default 60 s at 500 Hz). */
  ringSamples?: number;
}

/** What a device reports, to its one listener (the hub). A throwing listener is logged, never thrown into the session. */
export interface DeviceListener {
  onStatus?(state: StatusState, cause: StatusCause): void;
  onError?(code: ErrorCode, message: string): void;
  onSamples?(block: SampleBlock): void;
  onEvent?(event: DeviceEvent): void;
  /** Every raw chunk of the link as it arrived, before decoding (the raw recording). */
  onBytes?(bytes: Uint8Array): void;
  /** A promise to make the link reader wait (a sink behind, e.g. a recording's disk), or null. */
  pressure?(): Promise<void> | null;
}

/** A device: session + stream + ring + health + events. */
export class Device {
  readonly session: DeviceSession;
  readonly ring: SampleRing;
  readonly health: LinkHealth = new LinkHealth();
  #clock: Clock;
  #log: Logger;
  #listener: DeviceListener = {};
  #listened = false;
  #leadOff = new LeadOffTracker();
  /** The state the last state_change event went to (the session's reported state, `reconnecting` included). */
  #lastState: StatusState = "idle";
  #blocks = createBlockBuilder();
  #lastBattery: number | null = null;

  constructor(o: DeviceOptions) {
    this.#clock = o.clock;
    this.#log = o.log;
    this.ring = new SampleRing(o.ringSamples);
    this.session = new DeviceSession({
      source: o.source,
      decoder: o.decoder,
      clock: o.clock,
      log: o.log,
      sourceLog: o.sourceLog,
      blocks: this.#blocks,
      ...(o.reconnectBaseMs !== undefined ? { reconnectBaseMs: o.reconnectBaseMs } : {}),
      ...(o.noDataTimeoutMs !== undefined ? { noDataTimeoutMs: o.noDataTimeoutMs } : {}),
      events: {
        onStatus: (state, cause) => this.#status(state, cause),
        // no state_change either (nobody is told of a teardown), but the next one starts from idle
        onQuietIdle: () => void (this.#lastState = "idle"),
        onError: (code, message) => this.#each((l) => l.onError?.(code, message)),
        onSamples: (block) => this.#samples(block),
        onChunk: (timing) => this.health.chunk(timing),
        onBytes: (bytes) => this.#each((l) => l.onBytes?.(bytes)),
        pressure: () => this.#listener.pressure?.() ?? null,
      },
    });
  }

  /** The seq of the sample at or just after Unix ms `timeMs` (the sample clock), or null before any sample. */
  seqAt(timeMs: number): number | null {
    return this.#blocks.clock.seqAt(timeMs / 1000);
  }

  /** Places a marker on this device's stream and tells the listener (to recordings, the events stream). */
  mark(request: MarkerRequest, id: string): Marker {
    const now = this.#clock.now();
    const marker = placeMarker(request, id, now, (t) => this.seqAt(t));
    this.#event({ type: "marker", atMs: marker.timestamp * 1000, marker });
    return marker;
  }

  /** Sends an event that starts outside the device (a recording's new state) to the listener. */
  emit(event: DeviceEvent): void {
    this.#event(event);
  }

  /**
   * Sets the device's one listener, once: the hub that fans out to every consumer (src/hub), so no
   * consumer can attach around it. Returns its removal.
   */
  listen(listener: DeviceListener): () => void {
    if (this.#listened) throw new Error("A device has one listener: attach through its hub");
    this.#listened = true;
    this.#listener = listener;
    return () => {
      if (this.#listener === listener) this.#listener = {};
    };
  }

  #status(state: StatusState, cause: StatusCause): void {
    const now = this.#clock.now();
    // `reconnecting` is a state change too: the events stream says what /health and status say
    if (state !== this.#lastState) {
      const from = this.#lastState;
      this.#lastState = state;
      if (state === "connected") {
        this.#leadOff.reset();
        this.health.startConnection();
      }
      this.#event({ type: "state_change", atMs: now, from, to: state });
    }
    this.#each((l) => l.onStatus?.(state, cause));
    const battery = this.session.batteryLevel;
    if (battery !== null && battery !== this.#lastBattery) {
      this.#lastBattery = battery;
      this.#event({ type: "battery", atMs: now, level: battery });
    }
  }

  #samples(block: SampleBlock): void {
    this.ring.push(block);
    this.health.block(block);
    // a deliberate pause is marked by its state changes; only lost samples are a gap
    for (const gap of block.gaps) {
      if (gap.deliberate !== true) {
        this.#event({ type: "gap", atMs: block.time[gap.index]! * 1000, gap });
      }
    }
    this.#leadOff.scan(block, (e) => this.#event(e));
    this.#each((l) => l.onSamples?.(block));
  }

  #event(event: DeviceEvent): void {
    this.#each((l) => l.onEvent?.(event));
  }

  #each(call: (l: DeviceListener) => void): void {
    try {
      call(this.#listener);
    } catch (e) {
      this.#log.log(
        "ERROR",
        `A device listener failed: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
}
