/**
 * @module The device session: the protocol's state machine (docs/protocol/mw75.md §3.6) around one DeviceSource —
 * connect, stream through the WASM decoder, notice a dropped link, auto-reconnect, tear down.
 */
import type { Decoder, DecodeStats } from "../decoder/types.ts";
import type { Clock } from "./clock.ts";
import { BridgeError } from "./errors.ts";
import type { CoreErrorCode as ErrorCode } from "./errors.ts";
import { statsLine } from "./packet-stats.ts";
import type { PacketFigures } from "./packet-stats.ts";
import type { DeviceLink, DeviceSource, LinkChunk } from "../ports/device-source.ts";
import type { Logger } from "../ports/logger.ts";
import { errorText, readLink } from "./link-reader.ts";
import { startLinkWatchdog } from "./link-watchdog.ts";
import { Reconnector } from "./reconnect.ts";
import type { ReconnectLoop, ReconnectWait } from "./reconnect.ts";
import { SessionFeed } from "./session-feed.ts";
import { StreamDeadline } from "./stream-deadline.ts";
import type {
  BlockBuilder,
  DeviceState,
  SessionEvents,
  StatusCause,
  StatusState,
} from "./session-events.ts";

/** Session dependencies and tunables. */
export interface SessionOptions {
  source: DeviceSource;
  /** One decoder, reset at every connection (stats restart per connection, totals survive in /health). */
  decoder: Decoder;
  clock: Clock;
  events: SessionEvents;
  blocks: BlockBuilder;
  /** The session's own logger and the one handed to the source. */
  log: Logger;
  sourceLog: Logger;
  /** Base of the reconnect schedule (default 1000 ms). */
  reconnectBaseMs?: number;
  /** A connected link silent this long counts as dropped (default 1500 ms, so detection stays under 2 s). */
  noDataTimeoutMs?: number;
}

type OpenResult = "ok" | "stale" | { code: ErrorCode; message: string };
const STATS_LOG_EVERY_MS = 5000;

/** Owns the link, the decoder feed and the reconnect loop. All public methods are safe to call in any state. */
export class DeviceSession {
  #o: SessionOptions;
  #state: DeviceState = "idle";
  #autoReconnect = false;
  /** Bumped by every connection start and deliberate stop; async continuations of older generations bail out. */
  #gen = 0;
  #abort: AbortController | null = null;
  #link: DeviceLink | null = null;
  #reader: ReadableStreamDefaultReader<LinkChunk> | null = null;
  #reconnect: Reconnector;
  /** A link was lost since the last connection opened: the next seq jump is a gap, not a deliberate pause. */
  #linkLost = false;
  #stopWatchdog: (() => void) | null = null;
  #lastData = 0;
  /** The decoder side: chunks in, sample blocks out, packet figures kept. */
  #data: SessionFeed;
  /** The end a `connect {duration_s}` set; every connect, disconnect and teardown replaces or clears it. */
  #deadline: StreamDeadline;

  constructor(options: SessionOptions) {
    this.#o = options;
    this.#data = new SessionFeed(options);
    this.#deadline = new StreamDeadline(options.clock);
    this.#reconnect = new Reconnector({
      clock: options.clock,
      ...(options.reconnectBaseMs !== undefined ? { baseMs: options.reconnectBaseMs } : {}),
      log: options.log,
      enabled: () => this.#autoReconnect,
      announce: ({ attempt, of, delayMs }) =>
        this.#o.events.onStatus("reconnecting", { kind: "reconnecting", attempt, of, delayMs }),
      attempt: (k, loop) => this.#open({ kind: "reconnected", attempts: k }, loop),
      failed: (message) => this.#o.events.onError("RECONNECT_FAILED", message),
      exhausted: (message) => {
        this.#autoReconnect = false;
        this.#o.events.onError("RECONNECT_EXHAUSTED", message);
      },
    });
  }

  get state(): DeviceState {
    return this.#state;
  }
  /** The one state to report everywhere: `reconnecting` while the reconnect loop waits, else the stored state. */
  get reportedState(): StatusState {
    return this.#reconnect.wait === null ? this.#state : "reconnecting";
  }
  /** The wait the reconnect loop is in (attempt k of 10, its delay, when it ends), or null. */
  get reconnectWait(): ReconnectWait | null {
    return this.#reconnect.wait;
  }
  get autoReconnect(): boolean {
    return this.#autoReconnect;
  }
  /** Battery of the open link; null while no link exists. */
  get batteryLevel(): number | null {
    return this.#link?.batteryLevel ?? null;
  }
  /** True while connected or connecting (the ALREADY_CONNECTED condition). */
  get busy(): boolean {
    return this.#state === "connected" || this.#state === "connecting";
  }

  /** Packet totals and rate for /health. */
  figures(): PacketFigures {
    return this.#data.figures();
  }
  /** The partial packet the decoder holds (what a raw recording must start with to stay decodable). */
  pendingBytes(): Uint8Array {
    return this.#data.pendingBytes();
  }
  /** The decoder's figures for the current connection; null while no link is open. */
  liveStats(): DecodeStats | null {
    return this.#data.liveStats();
  }

  /** `auto_reconnect` (the flag connect sets); off stops a running loop, and a waiting one's end is announced (no stale `reconnecting`). */
  setAutoReconnect(on: boolean): void {
    this.#autoReconnect = on;
    if (on) return;
    if (this.#reconnect.cancel()) this.#setState(this.#state, { kind: "reconnect_stopped" });
  }

  /** Starts a connection (the caller checked `busy`), replacing a reconnect loop; with `untilMs` (Unix ms) it ends then. */
  connect(autoReconnect: boolean, untilMs: number | null = null): void {
    this.#autoReconnect = autoReconnect;
    this.#reconnect.cancel();
    this.#deadline.clear();
    void this.#openAndReport();
    // a link lost for good (no reconnect loop) has ended already: nothing to announce then
    const end = () =>
      (this.busy || this.#reconnect.wait !== null) && this.disconnect("duration reached");
    if (untilMs !== null) this.#deadline.set(untilMs, () => void end());
  }

  /** The disconnect command (or the bridge's, with `reason`): auto-reconnect off, then disconnecting → idle, or idle at once when nothing is active. */
  async disconnect(reason?: string): Promise<void> {
    this.#autoReconnect = false;
    this.#deadline.clear();
    this.#reconnect.cancel(); // silently: the idle status follows, as in the base protocol
    const gen = ++this.#gen; // whatever is still in flight belongs to an older generation now
    const why = reason === undefined ? {} : { reason };
    if (!this.busy) {
      this.#setState("idle", { kind: "no_device", ...why });
      return;
    }
    this.#setState("disconnecting", { kind: "disconnecting", ...why });
    this.#o.log.log("INFO", "Disconnecting from the device");
    try {
      await this.#closeLink();
    } catch (e) {
      this.#o.events.onError("DISCONNECT_ERROR", `Disconnect error: ${errorText(e)}`);
    }
    if (gen === this.#gen) this.#setState("idle", { kind: "idle", ...why });
  }

  /** Silent teardown (last client left or shutdown): nothing is announced, the state returns to idle. */
  async shutdown(): Promise<void> {
    this.#autoReconnect = false;
    this.#deadline.clear();
    this.#reconnect.cancel();
    this.#gen++;
    this.#state = "idle";
    this.#o.events.onQuietIdle?.();
    try {
      await this.#closeLink();
    } catch (e) {
      this.#o.log.log("WARNING", `Teardown: ${errorText(e)}`);
    }
  }

  async #openAndReport(): Promise<void> {
    const result = await this.#open({ kind: "connected" }, null);
    if (typeof result === "string") return;
    this.#o.events.onError(result.code, result.message);
    if (this.#autoReconnect) this.#reconnect.start();
  }

  /** One connection attempt; resolves once the link is really up (or the attempt failed/was superseded). */
  async #open(connected: StatusCause, loop: ReconnectLoop | null): Promise<OpenResult> {
    const gen = ++this.#gen;
    // `connecting` before the first await: a disconnect that arrives meanwhile must see a busy session
    this.#setState("connecting", { kind: "connecting" });
    this.#o.log.log("INFO", `Connecting to ${this.#o.source.description}`);
    await this.#closeLink().catch(() => {});
    if (gen !== this.#gen) return "stale";
    const abort = new AbortController();
    this.#abort = abort;
    let link: DeviceLink;
    try {
      link = await this.#o.source.open({ signal: abort.signal, log: this.#o.sourceLog });
    } catch (e) {
      if (gen !== this.#gen) return "stale";
      this.#abort = null;
      const code: ErrorCode = e instanceof BridgeError ? e.code : "CONNECTION_FAILED";
      const message = errorText(e);
      this.#o.log.log("ERROR", `${code}: ${message}`);
      this.#setState("error", { kind: "failed", message });
      return { code, message };
    }
    if (gen !== this.#gen) {
      link.close().catch(() => {});
      return "stale";
    }
    this.#abort = null;
    this.#reconnect.detach(loop);
    this.#link = link;
    this.#data.open(this.#linkLost);
    this.#linkLost = false;
    this.#setState("connected", connected);
    this.#o.log.log(
      "DEBUG",
      `Link open (battery ${link.batteryLevel ?? "unknown"}), decoder reset`,
    );
    void this.#pump(link, gen);
    return "ok";
  }

  async #pump(link: DeviceLink, gen: number): Promise<void> {
    const reader = link.readable.getReader();
    this.#reader = reader;
    this.#lastData = this.#o.clock.now();
    this.#stopWatchdog = startLinkWatchdog({
      clock: this.#o.clock,
      // the one watchdog of the link: the source may bound silence tighter than the session
      limitMs: Math.min(
        this.#o.noDataTimeoutMs ?? 1500,
        this.#o.source.noDataTimeoutMs ?? Infinity,
      ),
      statsEveryMs: STATS_LOG_EVERY_MS,
      lastData: () => this.#lastData,
      onSilent: (ms) => this.#lost(gen, "disconnected", `no data for ${Math.round(ms)} ms`),
      onStatsDue: () => this.#o.log.log("DEBUG", statsLine(this.figures())),
    });
    const pressure = () => this.#o.events.pressure?.() ?? null;
    const end = await readLink(
      reader,
      this.#o.clock,
      (chunk) => this.#feed(chunk),
      () => gen === this.#gen,
      pressure,
    );
    if (end.kind === "failed") this.#lost(gen, "error", `Device error: ${errorText(end.error)}`);
    else if (end.kind === "ended") this.#lost(gen, "disconnected", end.reason);
  }

  #feed(chunk: LinkChunk): void {
    if (!(chunk instanceof Uint8Array)) return this.#data.boundary(chunk);
    const now = this.#o.clock.now();
    this.#lastData = now;
    this.#data.push(chunk, now);
  }

  /** The link went away (or processing failed): clean up, announce, maybe start the reconnect loop. */
  #lost(gen: number, state: "disconnected" | "error", reason: string): void {
    if (gen !== this.#gen) return;
    this.#gen++;
    this.#linkLost = true;
    this.#closeLink().catch(() => {});
    if (state === "error") {
      this.#o.log.log("ERROR", reason);
      this.#setState("error", { kind: "failed", message: reason });
      this.#o.events.onError("DEVICE_ERROR", reason);
    } else {
      this.#o.log.log("WARNING", `Device link lost: ${reason}`);
      this.#setState("disconnected", { kind: "link_lost" });
    }
    if (this.#autoReconnect) this.#reconnect.start();
  }

  /** Stops reading, folds the decoder stats into the totals and closes the link (idempotent). */
  #closeLink(): Promise<void> {
    this.#abort?.abort();
    this.#abort = null;
    this.#stopWatchdog?.();
    this.#stopWatchdog = null;
    this.#data.close();
    const reader = this.#reader;
    const link = this.#link;
    this.#reader = null;
    this.#link = null;
    reader?.cancel().catch(() => {});
    return link ? link.close() : Promise.resolve();
  }

  #setState(state: DeviceState, cause: StatusCause): void {
    this.#state = state;
    this.#reconnect.endWait(); // any new state ends a wait (the attempt starts with `connecting`)
    this.#o.events.onStatus(state, cause);
  }
}
