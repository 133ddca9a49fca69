/**
 * @module The `eeg_batch` stream. Subscriptions with the same options share one group: one
 * batcher (and decimation filter), one encoding per batch for all its members. A subscription
 * with `since_seq` gets its own pipeline that first replays the device's ring buffer — one page
 * per macrotask, only while the client's socket has room (so a long resume is never shed) and its
 * byte allowance lasts (paced-replay.ts) — and then continues live, so it sees every retained
 * sample exactly once. A new subscription, an unsubscribe or a close cancels a pending replay.
 * Every pipeline runs the device's `notch_hz` setting (`setNotch`).
 */
import type { Clock } from "../../core/clock.ts";
import { createBatcher } from "../../core/batcher.ts";
import type { NotchHz } from "../../core/notch.ts";
import { ReplayAllowance, startReplay } from "../../core/paced-replay.ts";
import type { Replay } from "../../core/paced-replay.ts";
import type { SampleRing } from "../../core/sample-ring.ts";
import { DEVICE_RATE_HZ } from "../../core/samples.ts";
import { sliceBySeq } from "../../core/sample-slice.ts";
import type { SampleBatch, SampleBlock } from "../../core/samples.ts";
import { eegBatchFrame } from "../../protocol/encoders/binary-frame.ts";
import { eegBatchJson } from "../../protocol/encoders/eeg-batch-json.ts";
import { freshId } from "../../protocol/envelope.ts";
import type { BatchOptions } from "../../protocol/subscriptions.ts";
import type { Client, Hub } from "../hub.ts";
import type { OutMessage } from "../../ports/client-socket.ts";
import { ClientSet } from "./client-set.ts";

/** Samples read from the ring at a time by a replay: 0.5 s of signal. */
const REPLAY_PAGE = 250;
/**
 * What one replay may send in one macrotask: one page of 12-channel JSON (about 40 kB, 2–4 ms to
 * batch and encode), so other clients' data is never held up for longer; a cheap encoding (one
 * binary channel, 4 bytes a sample) may read up to 10 s of signal per turn to outpace a fast stream.
 */
const REPLAY_STEP_BYTES = 32 * 1024;
const REPLAY_STEP_SAMPLES = 5000;
/** How soon a replay waiting for socket room tries again. */
const REPLAY_RETRY_MS = 10;
/**
 * Replay bytes per second per client, over all its replays: a full 60-s ring as 12-channel JSON
 * (~7 MB) takes under 2 s, while a client re-subscribing without pause costs a fraction of a core
 * (it used to cost whatever its socket could take, in long synchronous runs).
 */
const REPLAY_BYTES_PER_S = 4 * 1024 * 1024;
/** What a client may be sent at socket speed before the rate applies (a resume of a few seconds). */
const REPLAY_BURST_BYTES = 1024 * 1024;
/**
 * Replay bytes per second over all clients of the process: four clients at their full allowance,
 * about half a core of encoding, so that many clients each within their own allowance still
 * cannot take the event loop together.
 */
const REPLAY_PROCESS_BYTES_PER_S = 4 * REPLAY_BYTES_PER_S;
const REPLAY_PROCESS_BURST_BYTES = 4 * REPLAY_BURST_BYTES;
/** A since_seq further ahead of the newest sample than this (1 s) cannot be this process's. */
const FUTURE_SLACK = DEVICE_RATE_HZ;

/** A client's `eeg_batch` subscription; `close()` ends it. */
export interface BatchHandle {
  /** The effective options (with `resumed_from` when part of the requested span was gone). */
  readonly options: BatchOptions & { resumed_from?: number };
  close(): void;
}

function encoderFor(
  options: BatchOptions,
  deviceId: string | null,
): (batch: SampleBatch) => OutMessage {
  const channels = options.channels;
  if (options.format === "binary") {
    return (batch) => eegBatchFrame(batch, { channels, refDrl: options.ref_drl });
  }
  if (deviceId !== null) {
    return (batch) => eegBatchJson(batch, { id: freshId(), channels, deviceId });
  }
  return (batch) => eegBatchJson(batch, { id: freshId(), channels });
}

/**
 * Options that make two subscriptions produce identical messages (JSON batches name the device on
 * per-device sockets; binary frames never do, so those groups span both kinds of socket).
 */
function groupKey(o: BatchOptions, deviceId: string | null): string {
  return JSON.stringify([
    o.format,
    o.num_samples,
    o.interval_ms,
    o.decimate,
    o.channels,
    o.ref_drl,
    o.format === "binary" ? null : deviceId,
  ]);
}

/** A subscriber that is no socket (the MQTT publisher): gets each encoded batch with the batch it encodes. */
export type BatchTap = (message: OutMessage, batch: SampleBatch) => void;

/** Members sharing a batcher; the batch is encoded once and sent to each (sockets and taps). */
class BatchGroup {
  readonly members = new ClientSet();
  readonly taps = new Set<BatchTap>();
  readonly batcher;

  constructor(
    options: BatchOptions,
    deviceId: string | null,
    notchHz: NotchHz,
    clock: Clock,
    hub: Hub,
  ) {
    const encode = encoderFor(options, deviceId);
    this.batcher = createBatcher(
      {
        numSamples: options.num_samples,
        intervalMs: options.interval_ms,
        decimate: options.decimate,
        notchHz,
      },
      clock,
      (batch) => {
        const message = encode(batch);
        if (this.members.size > 0) hub.sendDataTo(this.members, [message]);
        for (const tap of this.taps) tap(message, batch);
      },
    );
  }

  get idle(): boolean {
    return this.members.size === 0 && this.taps.size === 0;
  }
}

/** All `eeg_batch` pipelines of one device. */
export class BatchStream {
  #hub: Hub;
  #clock: Clock;
  #ring: SampleRing;
  #groups = new Map<string, BatchGroup>();
  #resumes = new Set<ResumePipeline>();
  #notch: NotchHz = null;

  constructor(hub: Hub, clock: Clock, ring: SampleRing) {
    this.#hub = hub;
    this.#clock = clock;
    this.#ring = ring;
  }

  /** Starts a subscription; call after the ack is queued, so replayed batches follow it. */
  subscribe(client: Client, options: BatchOptions): BatchHandle {
    if (options.since_seq !== undefined) return this.#resume(client, options, options.since_seq);
    const deviceId = options.format === "binary" ? null : client.deviceId;
    const g = this.#group(options, deviceId);
    g.members.add(client);
    return {
      options,
      close: () => (g.members.remove(client), this.#release(options, deviceId, g)),
    };
  }

  /**
   * Adds a subscriber that is no socket (live only, no since_seq). It shares the group of sockets
   * subscribed with the same options, so both get the very same encoded batches. Returns its removal.
   */
  tap(options: BatchOptions, tap: BatchTap): () => void {
    // JSON batches of a tap name no device, as on `/`
    const g = this.#group(options, null);
    g.taps.add(tap);
    return () => (g.taps.delete(tap), this.#release(options, null, g));
  }

  #group(options: BatchOptions, deviceId: string | null): BatchGroup {
    const key = groupKey(options, deviceId);
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = new BatchGroup(options, deviceId, this.#notch, this.#clock, this.#hub);
      this.#groups.set(key, group);
    }
    return group;
  }

  /** The last member of a group left: its batcher stops. */
  #release(options: BatchOptions, deviceId: string | null, group: BatchGroup): void {
    const key = groupKey(options, deviceId);
    if (!group.idle || this.#groups.get(key) !== group) return;
    group.batcher.close();
    this.#groups.delete(key);
  }

  onSamples(block: SampleBlock): void {
    for (const group of this.#groups.values()) group.batcher.push(block);
    for (const resume of this.#resumes) resume.onSamples(block);
  }

  /** The notch every pipeline runs (off = null). */
  get notchHz(): NotchHz {
    return this.#notch;
  }

  /** Switches every pipeline, present and future, from its next sample on. */
  setNotch(hz: NotchHz): void {
    this.#notch = hz;
    for (const group of this.#groups.values()) group.batcher.setNotch(hz);
    for (const resume of this.#resumes) resume.setNotch(hz);
  }

  #resume(client: Client, options: BatchOptions, since: number): BatchHandle {
    const oldest = this.#ring.oldestSeq;
    const newest = this.#ring.newestSeq;
    const effective: BatchOptions & { resumed_from?: number } = { ...options };
    let from = since;
    if (oldest !== null && since < oldest) {
      from = effective.resumed_from = oldest; // older than what is retained: say where the replay really starts
    } else if (newest !== null && since > newest + 1 + FUTURE_SLACK) {
      // far ahead of this device's stream: a seq from an earlier bridge process (seq restarts at
      // 0 with the process), so waiting for it would mean minutes of silence; go live at once
      from = effective.resumed_from = newest + 1;
    }
    const pipeline = new ResumePipeline(
      client,
      options,
      from,
      this.#notch,
      this.#hub,
      this.#clock,
      this.#ring,
    );
    this.#resumes.add(pipeline);
    return {
      options: effective,
      close: () => {
        pipeline.close();
        this.#resumes.delete(pipeline);
      },
    };
  }

  /** Stops every timer (shutdown). */
  close(): void {
    for (const group of this.#groups.values()) group.batcher.close();
    for (const resume of this.#resumes) resume.close();
    this.#groups.clear();
    this.#resumes.clear();
  }
}

/** The allowance of each client, shared by all its replays (on every device) and kept across re-subscribes. */
const clientAllowances = new WeakMap<Client, ReplayAllowance>();
/** The process's allowance, per clock (tests run several bridges with manual clocks in one process). */
const processAllowances = new WeakMap<Clock, ReplayAllowance>();

function allowancesOf(client: Client, clock: Clock): ReplayAllowance[] {
  let mine = clientAllowances.get(client);
  if (mine === undefined) {
    mine = new ReplayAllowance(REPLAY_BYTES_PER_S, REPLAY_BURST_BYTES, clock.now);
    clientAllowances.set(client, mine);
  }
  let all = processAllowances.get(clock);
  if (all === undefined) {
    all = new ReplayAllowance(REPLAY_PROCESS_BYTES_PER_S, REPLAY_PROCESS_BURST_BYTES, clock.now);
    processAllowances.set(clock, all);
  }
  return [mine, all];
}

/** Bytes on the wire, near enough (JSON batches are ASCII). */
const sizeOf = (m: OutMessage): number => (typeof m === "string" ? m.length : m.byteLength);

/** One client's private pipeline: a paced ring replay from `from`, then live. */
class ResumePipeline {
  #next: number;
  #live = false;
  #closed = false;
  #replay: Replay;
  #batcher;
  /** Bytes the batcher sent since the current page went in. */
  #pageBytes = 0;

  constructor(
    client: Client,
    options: BatchOptions,
    from: number,
    notchHz: NotchHz,
    hub: Hub,
    clock: Clock,
    ring: SampleRing,
  ) {
    this.#next = from;
    const encode = encoderFor(options, client.deviceId);
    this.#batcher = createBatcher(
      {
        numSamples: options.num_samples,
        intervalMs: options.interval_ms,
        decimate: options.decimate,
        notchHz,
      },
      clock,
      (batch) => {
        const message = encode(batch);
        this.#pageBytes += sizeOf(message);
        hub.sendDataTo([client], [message]);
      },
    );
    this.#replay = startReplay({
      source: ring,
      from,
      clock,
      pageSamples: REPLAY_PAGE,
      maxStepBytes: REPLAY_STEP_BYTES,
      maxStepSamples: REPLAY_STEP_SAMPLES,
      allowances: allowancesOf(client, clock),
      canSend: () => client.outbox.hasRoom,
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

  onSamples(block: SampleBlock): void {
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
