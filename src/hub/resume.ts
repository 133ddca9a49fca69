/**
 * @module A `batches` subscriber's resume: its own pipeline first replays the device's ring buffer
 * from `sinceSeq` — one page per macrotask, only while the receiver has room (so a long resume is
 * never shed) and the byte allowances last (core/paced-replay.ts) — then continues live, so it sees
 * every retained sample exactly once. Closing it cancels a pending replay.
 */
import { createBatcher } from "../core/batcher.ts";
import type { Clock } from "../core/clock.ts";
import type { NotchHz } from "../core/notch.ts";
import { ReplayAllowance, startReplay } from "../core/paced-replay.ts";
import type { Replay } from "../core/paced-replay.ts";
import type { SampleRing } from "../core/sample-ring.ts";
import { sliceBySeq } from "../core/sample-slice.ts";
import { DEVICE_RATE_HZ } from "../core/samples.ts";
import type { SampleBlock } from "../core/samples.ts";
import type { BatchesSubscriber, ResumeSpec } from "./subscribers.ts";

/** Samples read from the ring at a time by a replay: 0.5 s of signal. */
const REPLAY_PAGE = 250;
/**
 * What one replay may send in one macrotask: one page of 12-channel JSON (about 40 kB, 2–4 ms to
 * batch and encode), so other receivers' data is never held up for longer; a cheap encoding (one
 * binary channel, 4 bytes a sample) may read up to 10 s of signal per turn to outpace a fast stream.
 */
const REPLAY_STEP_BYTES = 32 * 1024;
const REPLAY_STEP_SAMPLES = 5000;
/** How soon a replay waiting for room tries again. */
const REPLAY_RETRY_MS = 10;
/**
 * Replay bytes per second per receiver, over all its replays: a full 60-s ring as 12-channel JSON
 * (~7 MB) takes under 2 s, while a client re-subscribing without pause costs a fraction of a core.
 */
const REPLAY_BYTES_PER_S = 4 * 1024 * 1024;
/** What a receiver may be sent at full speed before the rate applies (a resume of a few seconds). */
const REPLAY_BURST_BYTES = 1024 * 1024;
/**
 * Replay bytes per second over all receivers of the process: four at their full allowance, about
 * half a core of encoding, so that many receivers each within their own allowance still cannot
 * take the event loop together.
 */
const REPLAY_PROCESS_BYTES_PER_S = 4 * REPLAY_BYTES_PER_S;
const REPLAY_PROCESS_BURST_BYTES = 4 * REPLAY_BURST_BYTES;
/** A since_seq further ahead of the newest sample than this (1 s) cannot be this process's. */
const FUTURE_SLACK = DEVICE_RATE_HZ;

/** A receiver's own allowance, to keep across its re-subscribes and share by all its replays. */
export function receiverAllowance(clock: Clock): ReplayAllowance {
  return new ReplayAllowance(REPLAY_BYTES_PER_S, REPLAY_BURST_BYTES, clock.now);
}

/** The process's allowance, per clock (tests run several bridges with manual clocks in one process). */
const processAllowances = new WeakMap<Clock, ReplayAllowance>();

function processAllowance(clock: Clock): ReplayAllowance {
  let all = processAllowances.get(clock);
  if (all === undefined) {
    all = new ReplayAllowance(REPLAY_PROCESS_BYTES_PER_S, REPLAY_PROCESS_BURST_BYTES, clock.now);
    processAllowances.set(clock, all);
  }
  return all;
}

/**
 * Where a replay from `since` really starts: the oldest retained seq when older was asked, the
 * next live one when `since` is far ahead (a seq from an earlier process: seq restarts at 0 with the
 * process, so waiting for it would mean minutes of silence). `moved` says it differs.
 */
export function resumeStart(ring: SampleRing, since: number): { from: number; moved: boolean } {
  const oldest = ring.oldestSeq;
  const newest = ring.newestSeq;
  if (oldest !== null && since < oldest) return { from: oldest, moved: true };
  if (newest !== null && since > newest + 1 + FUTURE_SLACK) {
    return { from: newest + 1, moved: true };
  }
  return { from: since, moved: false };
}

/** One subscriber's private pipeline: a paced ring replay from `from`, then live. */
export class ResumePipeline<M> {
  #next: number;
  #live = false;
  #closed = false;
  #replay: Replay;
  #batcher;
  /** Bytes the batcher sent since the current page went in. */
  #pageBytes = 0;

  constructor(
    sub: BatchesSubscriber<M> & { resume: ResumeSpec<M> },
    from: number,
    notchHz: NotchHz,
    clock: Clock,
    ring: SampleRing,
  ) {
    this.#next = from;
    const resume = sub.resume;
    this.#batcher = createBatcher({ ...sub.spec, notchHz }, clock, (batch) => {
      const message = sub.encoding.encode(batch);
      this.#pageBytes += resume.sizeOf(message);
      sub.onBatch(message, batch);
    });
    this.#replay = startReplay({
      source: ring,
      from,
      clock,
      pageSamples: REPLAY_PAGE,
      maxStepBytes: REPLAY_STEP_BYTES,
      maxStepSamples: REPLAY_STEP_SAMPLES,
      allowances: [resume.allowance, processAllowance(clock)],
      canSend: () => resume.canSend(),
      retryMs: REPLAY_RETRY_MS,
      onPage: (page) => {
        this.#pageBytes = 0;
        this.#batcher.push(page);
        return this.#pageBytes;
      },
      onCaughtUp: (next) => {
        this.#next = next;
        this.#live = true;
      },
    });
  }

  push(block: SampleBlock): void {
    // while replaying, the ring already holds this block and the replay reaches it
    if (this.#closed || !this.#live) return;
    // nothing before `next`: a since_seq still ahead, or the replay's last page
    const part = sliceBySeq(block, this.#next);
    if (part !== null) this.#batcher.push(part);
  }

  setNotch(hz: NotchHz): void {
    this.#batcher.setNotch(hz);
  }

  close(): void {
    this.#closed = true;
    this.#replay.cancel();
    this.#batcher.close();
  }
}
