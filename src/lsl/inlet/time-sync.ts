/** @module Time correction of one stream (docs/protocol/lsl-wire.md §7): 8 probes 64 ms apart, estimate at 0.64 s, every 2 s. */
import type dgram from "node:dgram";
import type { Clock, TimerHandle } from "../../core/clock.ts";
import type { LslTime } from "../clock.ts";
import {
  estimateTime,
  parseTimeReply,
  type Probe,
  PROBE_COUNT,
  timeRequest,
} from "../wire/time-estimate.ts";
import { bindUdp, closeUdp } from "./udp.ts";

export const PROBE_INTERVAL_MS = 64;
/** When a wave's estimate is taken: 0.128 s + 8 × 0.064 s after it started. */
export const ESTIMATE_AFTER_MS = 640;
/** A new wave this often (liblsl TimeUpdateInterval, docs/protocol/lsl-wire.md §7). */
export const REFRESH_MS = 2000;

export interface TimeSyncOptions {
  readonly address: string;
  readonly servicePort: number;
  readonly time: LslTime;
  readonly clock: Clock;
  /** Each estimate (s, local − remote); `null` when a wave got fewer than 6 replies. */
  readonly onEstimate?: (timeCorrection: number | null) => void;
}

/** Probes one outlet until stopped; `correction` is the latest estimate. */
export class TimeSync {
  /** Seconds to add to the outlet's timestamps; null until the first good wave. */
  correction: number | null = null;
  #socket: dgram.Socket | null = null;
  #opening: Promise<void> | null = null;
  #timers: TimerHandle[] = [];
  #probes: Probe[] = [];
  #waveId = 0;
  #running = false;
  #closed = false;
  #waiters: (() => void)[] = [];

  constructor(readonly o: TimeSyncOptions) {}

  /** Starts (or resumes) the waves; the first one begins at once. */
  start(): void {
    if (this.#running || this.#closed) return;
    this.#running = true;
    this.#opening ??= bindUdp(false).then((socket) => {
      if (this.#closed) return closeUdp(socket); // closed while binding: close() awaits this
      this.#socket = socket;
      socket.on("message", (data) => this.#reply(new TextDecoder().decode(data)));
      socket.on(
        "error",
        () => {/* a lost probe only weakens one wave; counted by the estimate's reply count */},
      );
    }, () => {
      this.#running = false;
    });
    void this.#opening.then(() => this.#wave());
  }

  /** Stops the waves (the estimate is kept for a reconnection to the same outlet). */
  stop(): void {
    this.#running = false;
    for (const t of this.#timers) this.o.clock.clearTimeout(t);
    this.#timers = [];
  }

  /** Resolves when an estimate exists or `ms` passed (then with null). */
  waitFirst(ms: number): Promise<number | null> {
    if (this.correction !== null || this.#closed) return Promise.resolve(this.correction);
    return new Promise((resolve) => {
      const handle = this.o.clock.setTimeout(() => finish(), ms);
      const finish = () => {
        this.o.clock.clearTimeout(handle);
        this.#waiters = this.#waiters.filter((w) => w !== finish);
        resolve(this.correction);
      };
      this.#waiters.push(finish);
    });
  }

  /** Stops and closes the socket. */
  async close(): Promise<void> {
    this.stop();
    this.#closed = true;
    for (const w of [...this.#waiters]) w();
    await this.#opening?.catch(() => {});
    if (this.#socket !== null) await closeUdp(this.#socket);
  }

  #later(fn: () => void, ms: number): void {
    const handle = this.o.clock.setTimeout(() => {
      this.#timers = this.#timers.filter((t) => t !== handle);
      if (this.#running && !this.#closed) fn();
    }, ms);
    this.#timers.push(handle);
  }

  #wave(): void {
    if (!this.#running || this.#closed || this.#socket === null) return;
    this.#waveId = 1 + Math.floor(Math.random() * 0x7ffffffe);
    this.#probes = [];
    for (let i = 0; i < PROBE_COUNT; i++) this.#later(() => this.#probe(), i * PROBE_INTERVAL_MS);
    this.#later(() => this.#estimate(), ESTIMATE_AFTER_MS);
    this.#later(() => this.#wave(), REFRESH_MS);
  }

  #probe(): void {
    const text = timeRequest(this.#waveId, this.o.time.now());
    try {
      this.#socket?.send(
        text,
        this.o.servicePort,
        this.o.address,
        () => {/* unanswered probes just don't count */},
      );
    } catch { /* socket closing */ }
  }

  #reply(text: string): void {
    const t3 = this.o.time.now();
    const reply = parseTimeReply(text, this.#waveId);
    if (reply !== null && this.#probes.length < PROBE_COUNT) this.#probes.push({ ...reply, t3 });
  }

  #estimate(): void {
    const estimate = estimateTime(this.#probes);
    if (estimate !== null) {
      this.correction = estimate.timeCorrection;
      for (const w of [...this.#waiters]) w();
    }
    this.o.onEstimate?.(estimate?.timeCorrection ?? null);
  }
}
