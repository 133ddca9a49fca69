/**
 * @module Paced ring replay for resume (docs/protocol/bridge-api.md §2.5): a replay reads the ring one page per
 * macrotask, only while its client's socket has room and its byte allowances last, and can
 * be cancelled at any point, so a resume costs in proportion to what it sends and never holds the
 * event loop.
 */
import type { Clock, TimerHandle } from "./clock.ts";
import type { SampleBlock } from "./samples.ts";

/**
 * A token bucket of bytes: what one client may be sent by replays per second. It may go into debt by
 * one page (the size of a page is only known once it is encoded); the next page then waits.
 */
export class ReplayAllowance {
  readonly bytesPerS: number;
  readonly burstBytes: number;
  #tokens: number;
  #at: number;
  #now: () => number;

  constructor(bytesPerS: number, burstBytes: number, now: () => number) {
    if (!(bytesPerS > 0) || !(burstBytes > 0)) {
      throw new RangeError(
        `Invalid replay allowance ${bytesPerS} B/s, burst ${burstBytes} B: expected positive numbers`,
      );
    }
    this.bytesPerS = bytesPerS;
    this.burstBytes = burstBytes;
    this.#tokens = burstBytes;
    this.#now = now;
    this.#at = now();
  }

  /** Milliseconds until the next page may go (0 = now). */
  waitMs(): number {
    this.#refill();
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens / this.bytesPerS) * 1000);
  }

  /** Counts bytes sent by a replay. */
  charge(bytes: number): void {
    this.#refill();
    this.#tokens -= bytes;
  }

  #refill(): void {
    const now = this.#now();
    const elapsed = Math.max(0, now - this.#at);
    this.#at = now;
    this.#tokens = Math.min(this.burstBytes, this.#tokens + (elapsed / 1000) * this.bytesPerS);
  }
}

/** What a replay reads: the ring's `read` (SampleRing). */
export interface ReplaySource {
  read(fromSeq: number, maxSamples: number): SampleBlock | null;
}

/** Settings and hooks of one replay. */
export interface ReplayOptions {
  source: ReplaySource;
  /** First seq to replay. */
  from: number;
  clock: Clock;
  /** Samples read (and handed to `onPage`) at a time. */
  pageSamples: number;
  /**
   * One macrotask reads pages until `onPage` reported this many bytes sent, or `maxStepSamples`
   * were read: a dear encoding (12-channel JSON) gets one page per turn of the event loop, a cheap
   * one (a binary channel) several, so that it still outpaces a fast stream.
   */
  maxStepBytes: number;
  maxStepSamples: number;
  /**
   * Allowances a page must wait for, e.g. its client's (shared by all its replays) and the
   * process's (shared by all clients); each is charged what `onPage` reports.
   */
  allowances: readonly ReplayAllowance[];
  /** False while the client's socket is backed up: the replay waits rather than queue or shed. */
  canSend(): boolean;
  /** How long to wait for socket room before looking again (ms). */
  retryMs: number;
  /** One page of retained samples, in seq order; returns the bytes it caused to be sent. */
  onPage(block: SampleBlock): number;
  /**
   * The ring held nothing more: called in the same macrotask as the last read, so every later
   * block reaches the caller live, and `next` is the first seq it must take from them.
   */
  onCaughtUp(next: number): void;
}

/** A running replay. */
export interface Replay {
  /** The next seq the replay (or, once caught up, the live stream) delivers. */
  readonly next: number;
  readonly caughtUp: boolean;
  /** Stops it at once: no page is read or delivered after this returns. */
  cancel(): void;
}

/** Starts a replay; its first page is read in a later macrotask (after what the caller sends now). */
export function startReplay(o: ReplayOptions): Replay {
  if (!Number.isInteger(o.pageSamples) || o.pageSamples < 1) {
    throw new RangeError(
      `Invalid replay page of ${o.pageSamples} samples: expected an integer ≥ 1`,
    );
  }
  if (!(o.maxStepBytes > 0) || !(o.maxStepSamples > 0)) {
    throw new RangeError(
      `Invalid replay step of ${o.maxStepBytes} bytes, ${o.maxStepSamples} samples: expected positive numbers`,
    );
  }
  let next = o.from;
  let caughtUp = false;
  let cancelled = false;
  let timer: TimerHandle | null = null;

  const later = (ms: number): void => {
    timer = o.clock.setTimeout(step, ms);
  };
  const finish = (): void => {
    caughtUp = true;
    o.onCaughtUp(next);
  };

  function step(): void {
    timer = null;
    let bytes = 0;
    let samples = 0;
    while (!cancelled) {
      if (!o.canSend()) return later(o.retryMs);
      let wait = 0;
      for (const allowance of o.allowances) wait = Math.max(wait, allowance.waitMs());
      if (wait > 0) return later(wait);
      const page = o.source.read(next, o.pageSamples);
      if (page === null || page.count === 0) return finish();
      next = page.seq[page.count - 1]! + 1;
      const sent = o.onPage(page);
      for (const allowance of o.allowances) allowance.charge(sent);
      // a short page is the ring's end: later samples come live
      if (page.count < o.pageSamples) return cancelled ? undefined : finish();
      bytes += sent;
      samples += page.count;
      if (bytes >= o.maxStepBytes || samples >= o.maxStepSamples) return later(0);
    }
  }

  later(0);
  return {
    get next() {
      return next;
    },
    get caughtUp() {
      return caughtUp;
    },
    cancel() {
      cancelled = true;
      if (timer !== null) o.clock.clearTimeout(timer);
      timer = null;
    },
  };
}
