/** @module The marker inlet (bridge-api.md §10): reads every matching stream but our own, follows restarts by source_id, maps time. */
import { hostname } from "node:os";
import type { TimerHandle } from "../../core/clock.ts";
import type { FeedSample } from "../wire/feed-decode.ts";
import type { StreamInfo } from "../wire/stream-info.ts";
import { type FeedEnd, openFeed } from "./feed-reader.ts";
import { type Resolved, Resolver } from "./resolver.ts";
import { TimeSync } from "./time-sync.ts";
import type { Entry, InletFigures, MarkerInletOptions, ReceivedMarker } from "./types.ts";
import { OnceSet } from "./udp.ts";

export type { InletFigures, MarkerInletOptions, ReceivedMarker };

/** Connection attempts to one stream are this far apart (liblsl's 500 ms). */
export const RETRY_MS = 500;
/** How long a marker waits for the stream's first time estimate before it goes out uncorrected. */
export const FIRST_ESTIMATE_WAIT_MS = 1500;
/** Streams read at most; more matches than this (a flood of fake replies) are ignored, logged once. */
export const MAX_STREAMS_READ = 64;
/** Widest stream read: a marker stream has one channel; a wider announcement only asks for memory. */
export const MAX_CHANNELS = 1024;
/** Markers held per stream while waiting for that estimate; older ones beyond it are dropped. */
const MAX_WAITING = 10_000;

/** Reads marker streams until closed. */
export class MarkerInlet {
  readonly #entries = new Map<string, Entry>();
  readonly #logged = new OnceSet();
  /** Keys of ignored streams already logged (bounded: a flood of source_ids logs 256 lines at most). */
  readonly #ignored = new OnceSet(256);
  readonly #tick: TimerHandle;
  readonly #retries = new Set<TimerHandle>();
  readonly #ready: Promise<void>;
  readonly #host = hostname();
  #resolver: Resolver | null = null;
  #closed = false;

  private constructor(readonly o: MarkerInletOptions) {
    this.#tick = o.clock.setInterval(() => this.#sweep(), RETRY_MS);
    this.#ready = Resolver.start({ ...o, onReply: () => this.#sweep() }).then(
      (r) => this.#closed ? r.close() : void (this.#resolver = r),
      (e: Error) => o.log.log("ERROR", `LSL inlet: cannot open the resolver socket: ${e.message}`),
    );
  }

  /** Starts resolving at once; streams are connected as they answer. */
  static start(o: MarkerInletOptions): MarkerInlet {
    return new MarkerInlet(o);
  }

  /** One line per stream ever matched. */
  figures(): InletFigures[] {
    return [...this.#entries.values()].map((e) => ({
      name: e.info.name,
      hostname: e.info.hostname,
      source_id: e.info.sourceId,
      connected: e.connected,
      markers: e.markers,
      rejected: e.rejected,
      time_correction_ms: e.sync.correction === null ? null : e.sync.correction * 1000,
    }));
  }

  /** Closes the resolver, every feed and every time-probe socket. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.o.clock.clearInterval(this.#tick);
    for (const t of this.#retries) this.o.clock.clearTimeout(t);
    await this.#ready;
    await this.#resolver?.close();
    await Promise.all([...this.#entries.values()].map(async (e) => {
      await e.feed?.close();
      await e.sync.close();
    }));
  }

  #sweep(): void {
    if (this.#closed || this.#resolver === null) return;
    const own = this.o.ownUids();
    const freshest = new Map<string, Resolved>();
    for (const r of this.#resolver.streams().values()) {
      if (own.has(r.info.uid)) continue;
      const key = r.info.sourceId !== "" ? r.info.sourceId : r.info.uid;
      if (this.o.ignore?.(r.info) === true) {
        // said once, so a user whose own stream happens to look like a bridge's sees why it is not read
        if (this.#ignored.first(key)) {
          this.o.log.log(
            "INFO",
            `LSL inlet: ignoring ${this.#name(r.info)}: a bridge's marker outlet`,
          );
        }
        continue;
      }
      const known = freshest.get(key);
      if (known === undefined || r.lastSeenMs > known.lastSeenMs) freshest.set(key, r);
    }
    const now = this.o.clock.now();
    for (const [key, { info }] of freshest) {
      const entry = this.#entries.get(key);
      if (entry === undefined && this.#entries.size >= MAX_STREAMS_READ) {
        if (this.#logged.first("too many")) {
          this.o.log.log(
            "WARNING",
            `LSL inlet: more than ${MAX_STREAMS_READ} streams match; ignoring the rest`,
          );
        }
      } else if (entry === undefined) {
        this.o.log.log(
          "INFO",
          `LSL inlet: resolved ${this.#name(info)} (source_id "${info.sourceId}")`,
        );
        this.#entries.set(key, this.#entry(info));
      } else if (entry.feed === null && entry.info.uid !== info.uid) {
        // the outlet restarted (same source_id, new uid): its clock may differ, so estimate afresh;
        // said once until a feed opens, as replies naming ever new uids would otherwise flood the log
        if (entry.problems.first("restarted")) {
          this.o.log.log("INFO", `LSL inlet: ${this.#name(info)} restarted (uid ${info.uid})`);
        }
        this.#flush(entry);
        void entry.sync.close();
        Object.assign(entry, { info, sync: this.#sync(info), nextAttemptMs: now, gaveUp: false });
      }
    }
    for (const entry of this.#entries.values()) {
      // 50 ms early is on time: a timer may fire a little before the clock says the delay is over
      if (entry.feed === null && now >= entry.nextAttemptMs - 50) this.#connect(entry);
    }
  }

  #entry(info: StreamInfo): Entry {
    return {
      info,
      sync: this.#sync(info),
      feed: null,
      connected: false,
      nextAttemptMs: 0,
      markers: 0,
      rejected: 0,
      waiting: [],
      gaveUp: false,
      markersAtOpen: 0,
      flapping: false,
      problems: new OnceSet(),
    };
  }

  #sync(info: StreamInfo): TimeSync {
    return new TimeSync({
      address: info.v4address,
      servicePort: info.v4servicePort,
      time: this.o.time,
      clock: this.o.clock,
    });
  }

  #name(info: StreamInfo): string {
    return `${info.name}@${info.hostname}`;
  }

  #connect(entry: Entry): void {
    const { info } = entry;
    if (info.v4dataPort === 0 || info.v4servicePort === 0) {
      if (entry.problems.first("ports")) {
        this.o.log.log("WARNING", `LSL inlet: ${this.#name(info)} serves no IPv4 ports`);
      }
      entry.nextAttemptMs = Infinity;
      return;
    }
    if (info.channelCount > MAX_CHANNELS) {
      // a feed would wait for channels × value size bytes per sample: not worth reading, nor the memory
      if (entry.problems.first("channels")) {
        this.o.log.log(
          "WARNING",
          `LSL inlet: not reading ${
            this.#name(info)
          }: ${info.channelCount} channels (at most ${MAX_CHANNELS})`,
        );
      }
      entry.nextAttemptMs = Infinity;
      return;
    }
    entry.feed = openFeed({
      info,
      hostname: this.#host,
      sessionId: this.o.sessionId,
      clock: this.o.clock,
      onOpen: () => {
        entry.connected = true;
        entry.problems.clear();
        entry.markersAtOpen = entry.markers;
        if (!entry.flapping) {
          this.o.log.log(
            "INFO",
            `LSL inlet: reading ${this.#name(info)} from port ${info.v4dataPort}`,
          );
        }
        entry.sync.start();
      },
      onSamples: (samples) => {
        for (const s of samples) this.#deliver(entry, s);
      },
      onEnd: (end) => this.#ended(entry, end),
    });
  }

  #ended(entry: Entry, end: FeedEnd): void {
    const wasConnected = entry.connected;
    entry.feed = null;
    entry.connected = false;
    entry.sync.stop();
    entry.nextAttemptMs = this.o.clock.now() + RETRY_MS;
    if (end.kind === "stopped" || this.#closed) return;
    const retry = this.o.clock.setTimeout(() => {
      this.#retries.delete(retry);
      this.#sweep();
    }, RETRY_MS);
    this.#retries.add(retry);
    const name = this.#name(entry.info);
    if (wasConnected) {
      // an outlet that drops each feed before any marker would log a line per connection otherwise
      if (entry.markers > entry.markersAtOpen) entry.flapping = false;
      if (!entry.flapping) {
        this.o.log.log("WARNING", `LSL inlet: lost ${name} (${end.detail}); reconnecting`);
      }
      entry.flapping = entry.markers === entry.markersAtOpen;
    } else if (entry.problems.first(end.kind)) {
      // keyed by kind, not detail: a peer varying its errors must not flood the log
      this.o.log.log(
        "WARNING",
        `LSL inlet: cannot read ${name}: ${end.detail}; retrying every ${RETRY_MS} ms`,
      );
    }
  }

  #deliver(entry: Entry, sample: FeedSample): void {
    if ((entry.sync.correction !== null || entry.gaveUp) && entry.waiting.length === 0) {
      return this.#emit(entry, sample, entry.sync.correction ?? 0);
    }
    if (entry.waiting.length >= MAX_WAITING) entry.waiting.shift();
    entry.waiting.push(sample);
    if (entry.waiting.length === 1) {
      const sync = entry.sync;
      void sync.waitFirst(FIRST_ESTIMATE_WAIT_MS).then(() => {
        if (entry.sync === sync) this.#flush(entry);
      });
    }
  }

  #flush(entry: Entry): void {
    const held = entry.waiting;
    if (held.length === 0) return;
    entry.waiting = [];
    const correction = entry.sync.correction;
    entry.gaveUp = correction === null;
    if (correction === null && this.#logged.first(`uncorrected ${entry.info.uid}`)) {
      this.o.log.log(
        "WARNING",
        `LSL inlet: no time correction from ${this.#name(entry.info)} yet; its markers use 0`,
      );
    }
    for (const s of held) this.#emit(entry, s, correction ?? 0);
  }

  #emit(entry: Entry, sample: FeedSample, timeCorrection: number): void {
    if (this.#closed) return;
    const { info } = entry;
    const value = sample.values[0];
    const m: ReceivedMarker = {
      label: typeof value === "string" ? value : String(value ?? ""),
      lslTime: sample.timestamp,
      timeCorrection,
      unixTime: this.o.time.toUnix(sample.timestamp + timeCorrection),
      source: `lsl:${this.#name(info)}`,
      stream: { name: info.name, hostname: info.hostname, sourceId: info.sourceId, uid: info.uid },
    };
    entry.markers++;
    try {
      if (this.o.onMarker(m) === false) entry.rejected++;
    } catch (e) {
      if (this.#logged.first(`consumer ${info.uid}`)) {
        this.o.log.log("ERROR", `LSL inlet: the marker consumer failed: ${(e as Error).message}`);
      }
    }
  }
}
