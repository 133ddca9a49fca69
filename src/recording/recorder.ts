/**
 * @module One recording (docs/protocol/bridge-api.md §4.1): a subscriber of the device's samples, raw bytes and
 * markers that feeds the format writers and appends what they encode to files created for it
 * (never overwriting). Data reaches the OS at least twice a second and the disk once a second;
 * the last data record is completed from the live stream (or padded) so the files end on a
 * record boundary; any write failure ends the recording as `failed` while streaming goes on.
 */
import type { Clock, TimerHandle } from "../core/clock.ts";
import type { Marker } from "../core/markers.ts";
import type { SampleBlock } from "../core/samples.ts";
import { eventsCsvHeader, gapEventRow, gapRows, markerRow } from "./events-csv.ts";
import type { EventsCsvRow } from "./events-csv.ts";
import { EventsLog } from "./events-log.ts";
import { annotateAll, EarlyMarkers, figuresWithRefusals } from "./recorder-markers.ts";
import { RecordingFiles } from "./recording-files.ts";
import { RecorderPauses } from "./recorder-pauses.ts";
import { RecordingSpan } from "./recording-span.ts";
import type { RecordingStore } from "../ports/recording-store.ts";
import type { Annotation, FormatWriter, RecordingFigures, RecordingInfo } from "./types.ts";

const FLUSH_EVERY_MS = 500;
const SYNC_EVERY_MS = 1000;
/** How long a stop waits for the live stream to complete the last data record before padding it. */
const COMPLETE_RECORD_WAIT_MS = 1500;
/** Onsets within which a late events row is sorted in: markers may be stamped 60 s either side of now, plus slack. */
const EVENTS_REORDER_S = 150;

/** Everything a recording needs besides its writers. */
export interface RecorderOptions {
  store: RecordingStore;
  clock: Clock;
  /** The header fields; `startMs` and `firstSeq` are filled in at the first sample. */
  info: Omit<RecordingInfo, "startMs" | "firstSeq">;
  writers: FormatWriter[];
  /** Stops by itself after this many seconds of samples (rounded up to whole samples). */
  durationS: number | null;
  /** Told when the recording ends by itself (duration reached: its stop has begun) or fails. */
  onEnd(recorder: Recorder): void;
  /** Told when the first sample started the files (the metadata then knows first_seq and start_ms). */
  onBegin?(recorder: Recorder): void;
}

export class Recorder {
  #o: RecorderOptions;
  #files!: RecordingFiles;
  #events!: EventsLog;
  #state: RecordingFigures["state"] = "recording";
  #failure: string | null = null;
  #span = new RecordingSpan();
  #stoppedAt: number | null = null;
  #samples = 0;
  #markers = 0;
  #gaps = 0;
  #lost = 0;
  #duplicates = 0;
  /** Annotations each writer refused (e.g. a time a TAL cannot hold); the events rows have them. */
  #refused = new Map<FormatWriter, number>();
  #early = new EarlyMarkers();
  #pausing!: RecorderPauses;
  #flushTimer: TimerHandle | null = null;
  #lastSync = 0;
  #stopping: Promise<void> | null = null;
  #recordComplete: (() => void) | null = null;

  private constructor(o: RecorderOptions) {
    this.#o = o;
  }

  /** Creates every file (all names were checked free by the caller; a race still fails cleanly). */
  static async create(o: RecorderOptions): Promise<Recorder> {
    const r = new Recorder(o);
    const fail = (e: unknown) => r.#fail(e);
    r.#files = await RecordingFiles.create(o.store, o.info.sessionName, o.writers, fail);
    r.#events = new EventsLog(eventsCsvHeader().length, EVENTS_REORDER_S); // the header is ASCII
    r.#pausing = new RecorderPauses({
      span: r.#span,
      writers: () => r.#files.outputs.map((out) => out.writer!),
      row: (row) => r.#row(row),
      annotate: (a) => r.#annotate(a),
      place: (marker) => r.onMarker(marker),
      kept: () => r.#markers++,
    });
    r.#files.append(r.#files.events!, new TextEncoder().encode(eventsCsvHeader()));
    r.#flushTimer = o.clock.setInterval(() => r.#flush(), FLUSH_EVERY_MS);
    r.#lastSync = o.clock.now();
    return r;
  }

  /** See RecordingFiles.pressure: a promise to wait on while the disk is behind, else null. */
  pressure(): Promise<void> | null {
    return this.#state === "recording" ? this.#files.pressure() : null;
  }

  get state(): RecordingFigures["state"] {
    return this.#state;
  }

  /** The header fields (with the first sample's time and seq once it came; the start request's before). */
  info(requestedAtMs: number): RecordingInfo {
    return {
      ...this.#o.info,
      startMs: this.#span.startMs ?? requestedAtMs,
      firstSeq: this.#span.firstSeq ?? 0,
    };
  }

  /** The device's samples, in order. The first one starts the files. */
  onSamples(block: SampleBlock): void {
    if (this.#state !== "recording" || this.#span.reachedEnd()) return;
    const pauses = this.#span.pauses;
    if (pauses.paused) return pauses.see(block.seq[block.count - 1]);
    const resumed = pauses.open && block.count > 0 && this.#pausing.resumed(block.seq[0]!);
    if (this.#span.firstSeq === null) this.#begin(block);
    const { part, passedEnd } = this.#span.clip(block);
    if (part === null) {
      if (passedEnd) this.#durationReached();
      return;
    }
    for (const out of this.#files.outputs) {
      out.writer!.samples(part);
      if (out.writer!.flushPerRecord) this.#files.flush(out);
    }
    this.#duplicates += part.duplicates;
    // the jump into the first block after a resume is the pause, not a gap
    const gaps = gapRows(part.gaps, (seq) => this.#span.onset(seq), resumed);
    for (const row of gaps.rows) this.#row(row);
    this.#gaps += gaps.gaps;
    this.#lost += gaps.lost;
    this.#samples += part.count;
    this.#span.lastSeq = part.seq[part.count - 1]!;
    if (passedEnd) this.#durationReached();
  }

  /** The duration is reached: stop by itself (a stop already under way just completes). */
  #durationReached(): void {
    // the samples lost between the last one written and the end are a gap like any other
    const lost = this.#span.complete();
    if (lost !== null) {
      this.#gaps++;
      this.#lost += lost.missing;
      this.#row(gapEventRow(lost, this.#span.onset(lost.seq)));
    }
    this.#recordComplete?.();
    if (this.#stopping !== null) return;
    void this.stop(); // the owner is told now, not once the files are closed: a start sent meanwhile waits for this end
    this.#o.onEnd(this);
  }

  /** Raw link bytes as they arrived (the raw format). */
  onBytes(bytes: Uint8Array): void {
    // until the last sample is in (a stop waits for its record): the raw file covers the same span
    if (this.#state !== "recording" || this.#span.reachedEnd() || this.#span.pauses.paused) return;
    for (const out of this.#files.outputs) out.writer!.raw(bytes);
  }

  /** The device connected again mid-recording: the raw file gets a boundary record, so it replays cleanly. */
  onReconnect(connection: number): void {
    if (this.#state === "recording") this.#pausing.boundary(connection, this.#o.clock.now());
  }

  /** A marker: a row and an EDF/BDF annotation; held until the first sample; false when left out (hold full, stamped before the first sample). */
  onMarker(marker: Marker): boolean {
    if (this.#state !== "recording") return false;
    const firstSeq = this.#span.firstSeq;
    if (firstSeq === null) return this.#early.hold(marker);
    if (marker.seq === null || marker.seq < firstSeq) return false;
    const held = this.#pausing.holdAfterResume(marker);
    if (held !== null) return held;
    const onsetS = this.#span.onset(marker.seq);
    const paused = this.#span.pauses.within(marker.seq) !== null;
    this.#row(markerRow(marker, onsetS, paused));
    this.#markers++;
    // the files hold no data at its time: the events sidecar alone keeps it, where the pause is
    if (paused) return true;
    const text = marker.value === null ? marker.label : `${marker.label} (${marker.value})`;
    this.#annotate({ onsetS, durationS: marker.durationS, text });
    return true;
  }

  /** An annotation in every EDF/BDF file (a refusal is counted). */
  #annotate(annotation: Annotation): void {
    annotateAll(this.#files.outputs.map((o) => o.writer!), this.#refused, annotation);
  }

  /**
   * Ends the recording: the last data record is completed from the live stream (at most
   * COMPLETE_RECORD_WAIT_MS) or padded, then the files are finished and closed. Idempotent.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  /**
   * Pauses (nothing is written until the resume) or resumes (at the next sample; `connection`
   * numbers the raw file's boundary record). False when it changes nothing, or the recording ends.
   */
  setPaused(paused: boolean, connection: number): boolean {
    if (this.#state !== "recording" || this.#stopping !== null) return false;
    return paused ? this.#pausing.pause() : this.#pausing.resume(connection, this.#o.clock.now());
  }

  figures(): RecordingFigures {
    return {
      state: this.#state === "recording" && this.#span.pauses.paused ? "paused" : this.#state,
      failure: this.#failure,
      ...this.#span.figures(),
      stoppedAtMs: this.#stoppedAt,
      samples: this.#samples,
      markers: this.#markers,
      gaps: this.#gaps,
      lost: this.#lost,
      duplicates: this.#duplicates,
      files: this.#files.all.map((o) => ({ name: o.name, format: o.format, bytes: o.file.bytes })),
      writerFigures: figuresWithRefusals(
        this.#files.outputs.map((o) => [o.format, o.writer!]),
        this.#refused,
      ),
    };
  }

  async #stop(): Promise<void> {
    if (this.#state !== "recording") return this.#closeAll();
    // the last data record is completed from the live stream; stopped before any sample, none is taken
    if (this.#span.endAtRecord()) {
      await new Promise<void>((resolve) => {
        const timer = this.#o.clock.setTimeout(resolve, COMPLETE_RECORD_WAIT_MS);
        this.#recordComplete = () => {
          this.#o.clock.clearTimeout(timer);
          resolve();
        };
      });
      this.#recordComplete = null;
    }
    this.#pausing.endPause();
    if (this.#flushTimer !== null) this.#o.clock.clearInterval(this.#flushTimer);
    this.#flushTimer = null;
    // a writer never started (no sample came) has nothing to finish, and EDF/BDF would throw
    for (const out of this.#span.firstSeq === null ? [] : this.#files.outputs) {
      const { tail, patches } = out.writer!.finish(this.#span.finishSeq());
      this.#files.flush(out);
      if (tail !== null) this.#files.append(out, tail);
      this.#files.patch(out, patches);
    }
    try {
      await this.#files.settle();
    } catch (e) {
      this.#fail(e);
    }
    await this.#closeAll();
    if (this.#state === "recording") this.#state = "stopped";
  }

  async #closeAll(): Promise<void> {
    await this.#files.close(this.#state === "failed");
    this.#stoppedAt ??= this.#o.clock.now();
  }

  #begin(block: SampleBlock): void {
    this.#span.begin(block, this.#o.durationS);
    const firstSeq = this.#span.firstSeq!;
    const info: RecordingInfo = { ...this.#o.info, startMs: this.#span.startMs!, firstSeq };
    for (const out of this.#files.outputs) {
      const header = out.writer!.start(info);
      if (header !== null) {
        out.header = header;
        this.#files.append(out, header);
      }
    }
    for (const marker of this.#early.release(firstSeq)) this.onMarker(marker);
    this.#o.onBegin?.(this);
  }

  #row(row: EventsCsvRow): void {
    const write = this.#events.add(row);
    this.#files.append(this.#files.events!, write.append);
    if (write.rewrite !== null) this.#files.patch(this.#files.events!, [write.rewrite]);
  }

  #flush(): void {
    if (this.#state !== "recording") return;
    for (const out of this.#files.outputs) this.#files.flush(out);
    const now = this.#o.clock.now();
    if (now - this.#lastSync >= SYNC_EVERY_MS) {
      this.#lastSync = now;
      this.#files.syncAll();
    }
  }

  #fail(e: unknown): void {
    if (this.#state !== "recording") return;
    this.#state = "failed";
    this.#failure = e instanceof Error ? e.message : String(e); // the store's messages name the file and the OS code
    if (this.#flushTimer !== null) this.#o.clock.clearInterval(this.#flushTimer);
    this.#flushTimer = null;
    this.#o.onEnd(this);
  }
}
