/**
 * @module The client's subscriptions (docs/protocol/bridge-api.md §2): what each stream was asked with, the last
 * seq it delivered, resubscribing after a reconnect with `since_seq = last + 1` (§2.5), and
 * reporting what could not be recovered instead of hiding it.
 */
import { dropFirst } from "./batch.ts";
import type { EegBatch } from "./batch.ts";
import { BridgeClientError } from "./errors.ts";
import type { HeadsetOff } from "./headset.ts";
import { Subscription } from "./subscription.ts";
import type {
  DataLoss,
  EegBatchOptions,
  StreamItems,
  StreamName,
  StreamOptions,
} from "./stream-types.ts";
import type {
  AnyServerMessage,
  EegDataData,
  SubscriptionOptionsData,
} from "../protocol/messages.ts";

export type { DataLoss, EegBatchOptions, StreamItems, StreamName, StreamOptions };

/** A `subscribe` command's data. */
type SubscribeData = SubscriptionOptionsData & { stream: string };

/** What the streams need of the client. */
export interface StreamHost {
  readonly maxQueued: number;
  isOpen(): boolean;
  /** Sends a command on the open socket only (never queued: an open resubscribes anyway). */
  send(
    type: string,
    data: SubscribeData,
    onReply?: (m: AnyServerMessage) => void,
  ): Promise<unknown>;
  loss(loss: DataLoss): void;
}

interface Entry {
  stream: string;
  options: SubscriptionOptionsData;
  sub: Subscription<unknown>;
  /** The last seq delivered to the consumer (null: none yet, or seq numbering began again). */
  lastSeq: number | null;
  /** The `since_seq` the pending subscribe asked for. */
  askedSince: number | null;
  /** `eeg` only: the seq before the outage, checked against the first message after it. */
  checkAfter: number | null;
  /** Why the headset stopped since the last jump: labels the next one (null: not known to have stopped). */
  off: HeadsetOff | null;
  /** The resume ack said the replay starts past since_seq: the first batch's jump is that loss. */
  retention: boolean;
}

export class Streams {
  #entries = new Map<string, Entry>();
  #host: StreamHost;
  /** Whether the base `eeg` stream (on by default on every new socket) is wanted. */
  #wantEeg: boolean;

  constructor(host: StreamHost, wantEeg: boolean) {
    this.#host = host;
    this.#wantEeg = wantEeg;
  }

  /** Subscribes (or replaces the subscription of the same stream, whose iterator then ends). */
  subscribe(stream: string, options: SubscriptionOptionsData): Subscription<unknown> {
    this.#entries.get(stream)?.sub.finish();
    const since = options.since_seq ?? null;
    const entry: Entry = {
      stream,
      options: { ...options },
      sub: null!,
      lastSeq: since === null ? null : since - 1,
      askedSince: null,
      checkAfter: null,
      off: null,
      retention: false,
    };
    entry.sub = new Subscription<unknown>(
      stream,
      this.#host.maxQueued,
      (item) => this.#dropped(stream, item),
      () => this.#ended(entry),
    );
    this.#entries.set(stream, entry);
    if (stream === "eeg") this.#wantEeg = true;
    if (this.#host.isOpen()) this.#send(entry);
    return entry.sub;
  }

  /** The streams kept subscribed: every live subscription, and the base `eeg` while it is wanted. */
  names(): string[] {
    const names = [...this.#entries.keys()];
    if (this.#wantEeg && !this.#entries.has("eeg")) names.push("eeg");
    return names;
  }

  /** Ends the subscription of `stream` (if any) and unsubscribes on the bridge. */
  unsubscribe(stream: string): Promise<unknown> {
    const entry = this.#entries.get(stream);
    if (entry !== undefined) {
      this.#entries.delete(stream);
      entry.sub.finish();
    }
    if (stream === "eeg") this.#wantEeg = false;
    return this.#host.send("unsubscribe", { stream });
  }

  /** A new socket is open: ask again for everything, resuming where each stream stopped. */
  opened(): void {
    if (!this.#wantEeg) this.#host.send("unsubscribe", { stream: "eeg" }).catch(() => {});
    for (const entry of this.#entries.values()) {
      entry.checkAfter = entry.lastSeq;
      this.#send(entry);
    }
  }

  /** The headset stopped streaming (see HeadsetHold): the next seq jump of each seq stream spans that time. */
  deviceOff(why: HeadsetOff): void {
    for (const entry of this.#entries.values()) {
      // a lost link stays the label until the jump: a stop after it does not undo the loss
      if (
        entry.lastSeq !== null && (entry.stream === "eeg_batch" || entry.stream === "eeg") &&
        entry.off !== "lost"
      ) entry.off = why;
    }
  }

  /** Routes a stream message to its subscription; false when it is not a stream message. */
  route(m: AnyServerMessage): boolean {
    switch (m.type) {
      case "eeg_data":
        this.#eeg(m.data);
        return true;
      case "event":
        this.#entries.get("events")?.sub.push(m.data);
        return true;
      case "diagnostics":
        this.#entries.get("diagnostics")?.sub.push(m.data);
        return true;
      case "metrics":
        this.#entries.get("metrics")?.sub.push(m.data);
        return true;
    }
    return false;
  }

  /**
   * A decoded `eeg_batch` (either format): samples seen already are cut off, so each arrives once;
   * seqs skipped before it (more than one decimation step after the last delivered) are reported.
   */
  batch(b: EegBatch): void {
    const entry = this.#entries.get("eeg_batch");
    if (entry === undefined) return;
    let out = b;
    if (entry.lastSeq !== null && b.firstSeq <= entry.lastSeq) {
      const skip = Math.floor((entry.lastSeq - b.firstSeq) / b.decimate) + 1;
      if (skip >= b.count) return;
      out = dropFirst(b, skip);
    }
    if (entry.lastSeq !== null && out.firstSeq > entry.lastSeq + out.decimate) {
      this.#jumped(entry, out.firstSeq - 1);
    }
    entry.retention = false;
    entry.lastSeq = out.lastSeq;
    entry.sub.push(out);
  }

  /** Ends every iteration (the client closed: `done`; or gave up: `error`). */
  finishAll(error?: unknown): void {
    for (const entry of this.#entries.values()) entry.sub.finish(error);
    this.#entries.clear();
  }

  #send(entry: Entry): void {
    const data: SubscribeData = { stream: entry.stream, ...entry.options };
    if (entry.stream === "eeg_batch" && entry.lastSeq !== null) {
      data.since_seq = entry.lastSeq + 1;
    }
    entry.askedSince = data.since_seq ?? null;
    this.#host.send("subscribe", data, (m) => this.#acked(entry, m)).catch((e: unknown) => {
      // a lost socket resubscribes on the next open; a refusal (UNKNOWN_STREAM, …) ends the subscription
      if (
        !(e instanceof BridgeClientError) || e.data === undefined ||
        this.#entries.get(entry.stream) !== entry
      ) return;
      this.#entries.delete(entry.stream);
      entry.sub.finish(e);
    });
  }

  /** Runs synchronously with the ack, before the replayed batches that follow it are routed. */
  #acked(entry: Entry, m: AnyServerMessage): void {
    if (this.#entries.get(entry.stream) !== entry) return;
    const options = (m.data as { options?: SubscriptionOptionsData }).options ?? {};
    const from = options.resumed_from;
    const asked = entry.askedSince;
    entry.retention = false;
    if (asked !== null && typeof from === "number" && from !== asked) {
      // reported with the first batch, which says exactly where the replay begins (the ring may
      // have moved past resumed_from meanwhile), so the range is one and exact
      if (from > asked) entry.retention = true;
      else {
        // a resumed_from below since_seq: a new bridge process, whose seqs started again at 0
        this.#host.loss({ stream: entry.stream, reason: "restart", fromSeq: asked, toSeq: null });
        entry.lastSeq = null;
        entry.off = null;
      }
    }
    entry.sub.acknowledged(options);
  }

  #eeg(d: EegDataData): void {
    const entry = this.#entries.get("eeg");
    if (entry === undefined) return;
    const before = entry.checkAfter;
    if (before !== null && typeof d.seq === "number") {
      entry.checkAfter = null;
      entry.off = null; // the jump across the outage covers the headset's stop too
      if (d.seq > before + 1) {
        this.#host.loss({
          stream: "eeg",
          reason: "no_resume",
          fromSeq: before + 1,
          toSeq: d.seq - 1,
        });
      } else if (d.seq <= before) {
        this.#host.loss({ stream: "eeg", reason: "restart", fromSeq: before + 1, toSeq: null });
      }
    } else if (entry.lastSeq !== null && typeof d.seq === "number" && d.seq > entry.lastSeq + 1) {
      this.#jumped(entry, d.seq - 1);
    }
    if (typeof d.seq === "number") entry.lastSeq = d.seq;
    entry.sub.push(d);
  }

  /** Seqs `entry.lastSeq + 1 … toSeq` will never arrive: reported once, unless the headset was deliberately off. */
  #jumped(entry: Entry, toSeq: number): void {
    const off = entry.off;
    entry.off = null;
    if (off === "deliberate") return;
    const reason = entry.retention ? "retention" : off === "released" ? "released" : "gap";
    this.#host.loss({ stream: entry.stream, reason, fromSeq: entry.lastSeq! + 1, toSeq });
  }

  #dropped(stream: string, item: unknown): void {
    if (stream === "eeg_batch") {
      const b = item as EegBatch;
      return this.#host.loss({ stream, reason: "overflow", fromSeq: b.firstSeq, toSeq: b.lastSeq });
    }
    const seq = stream === "eeg" ? (item as EegDataData).seq : null;
    this.#host.loss({ stream, reason: "overflow", fromSeq: seq, toSeq: seq });
  }

  #ended(entry: Entry): void {
    if (this.#entries.get(entry.stream) !== entry) return;
    this.#entries.delete(entry.stream);
    if (entry.stream === "eeg") this.#wantEeg = false;
    if (this.#host.isOpen()) {
      this.#host.send("unsubscribe", { stream: entry.stream }).catch(() => {});
    }
  }
}
