/**
 * @module The recordings of one device (BRIDGE-API §4.1): at most one active at a time, started
 * and stopped by commands (or `--record`), fed by the device's samples, raw bytes and markers,
 * announced with the `recording` broadcast and event, listed from the recordings directory.
 */
import type { Clock } from "../core/clock.ts";
import type { Device, DeviceListener } from "../core/device.ts";
import type { ErrorCode } from "../core/errors.ts";
import type { MarkerRequest } from "../core/markers.ts";
import type { Logger } from "../core/ports.ts";
import type { StartRequest } from "../protocol/recording-requests.ts";
import { Recorder } from "../recording/recorder.ts";
import type { RecordingStore } from "../recording/store.ts";
import type { RecordingFormat } from "../recording/types.ts";
import { listRecordings, metadataOf } from "./recording-metadata.ts";
import { MarkerRouter } from "./recording-marker-hold.ts";
import type { MarkResult } from "./recording-marker-hold.ts";
import {
  defaultName,
  removeFiles,
  trackingCreates,
  writeMetadataFile,
  WRITERS,
} from "./recording-disk.ts";
import { recordingObject } from "./recording-object.ts";
import type { RecordingContext } from "./recording-object.ts";

/** The outcome of a recording command: the recording's object, or why not. */
export type RecordingResult =
  | { ok: true; recording: Record<string, unknown> }
  | { ok: false; code: ErrorCode; message: string };

/** What the recordings need from the bridge. */
export interface RecordingsOptions {
  device: Device;
  /** Attaches the recorder to the device's hub (lossless blocks and bytes, state, events); returns its removal. */
  attach(feed: DeviceListener): () => void;
  store: RecordingStore;
  clock: Clock;
  log: Logger;
  /** Fixed facts for the headers and the metadata. */
  context: Omit<
    RecordingContext,
    "sessionName" | "formats" | "subject" | "notes" | "id" | "requestedAtMs"
  >;
  /** The `subject`/`session_label` settings, read when a recording starts. */
  labels(): { subject: string; session_label: string };
  /** Sends the `recording` message to every client (with the object) and RECORDING_FAILED errors. */
  announce(recording: Record<string, unknown>): void;
  failed(message: string): void;
  /** `--record`: start a recording in these formats at the first `connected`. */
  recordOnConnect?: RecordingFormat[];
  /** One of several devices: default session names start with its id (no two devices collide). */
  deviceId?: string;
}

/** The running recording; `ending` is set once its end began (by a stop, a shutdown or by itself), so it ends once. */
interface Active {
  recorder: Recorder;
  context: RecordingContext;
  ending: Promise<Record<string, unknown>> | null;
  /** Set when it ended without a sample and its empty files were removed: why. */
  discarded: string | null;
  /** Metadata writes, one after another: the start's write never lands after the first sample's. */
  metadata: Promise<void>;
}

const DISCARDED = "no sample was recorded before the stop: its empty files were removed";

export class Recordings {
  #o: RecordingsOptions;
  #active: Active | null = null;
  #last: Record<string, unknown> | null = null;
  #connections = 0;
  #nextId = 1;
  /** The tail of this device's recording commands: each runs after the one before it has finished. */
  #queue: Promise<unknown> = Promise.resolve();
  #queued = 0;
  #markers: MarkerRouter;

  constructor(o: RecordingsOptions) {
    this.#o = o;
    this.#markers = new MarkerRouter({
      device: o.device,
      clock: o.clock,
      current: () => {
        const a = this.#active;
        return a === null
          ? null
          : { recorder: a.recorder, sessionName: a.context.sessionName, ending: a.ending !== null };
      },
    });
    o.attach({
      onSamples: (block) => this.#active?.recorder.onSamples(block),
      onBytes: (bytes) => this.#active?.recorder.onBytes(bytes),
      onStatus: (state) => {
        if (state !== "connected") return;
        this.#connections++;
        if (this.#connections > 1) this.#active?.recorder.onReconnect(this.#connections);
        else if (o.recordOnConnect !== undefined) void this.#autoStart(o.recordOnConnect);
      },
      onEvent: (event) => {
        if (event.type === "marker") this.#markers.onEvent(event.marker);
      },
      pressure: () => this.#active?.recorder.pressure() ?? null,
    });
  }

  /** The active recording's object, else the last one's, else null. */
  status(): Record<string, unknown> | null {
    return this.#active !== null ? this.#object(this.#active) : this.#last;
  }

  /** `status()` once the commands that arrived before have been carried out (`recording_status`). */
  statusInOrder(): Promise<Record<string, unknown> | null> {
    return this.#inOrder(() => Promise.resolve(this.status()), false);
  }

  /** The running recording's object, or null (also while a start is still under way). */
  current(): Record<string, unknown> | null {
    return this.#active !== null ? this.#object(this.#active) : null;
  }

  /** Places a marker and sends it on the events stream, or refuses one the running recording would leave out (MarkerRouter). */
  mark(req: MarkerRequest, id: string): MarkResult {
    return this.#markers.mark(req, id);
  }

  /** A recording runs, or a command that may start or end one is still under way. */
  get active(): boolean {
    return this.#active !== null || this.#queued > 0;
  }

  /** Starts a recording after the commands before it; the files exist (empty) when this resolves. */
  start(req: StartRequest): Promise<RecordingResult> {
    return this.#queuedStart(req, "command");
  }

  /** Stops the active recording (after completing its last data record); resolves with its final object. */
  stop(): Promise<RecordingResult> {
    return this.#inOrder(async () => {
      const active = this.#active;
      if (active === null) {
        return { ok: false, code: "NOT_RECORDING", message: "No recording is running" };
      }
      return { ok: true, recording: await this.#end(active) };
    });
  }

  /** Shutdown: an active recording is stopped and finalised (after the commands already queued). */
  close(): Promise<void> {
    return this.#inOrder(async () => {
      if (this.#active !== null) await this.#end(this.#active);
    });
  }

  /** Recordings on disk: the objects of their metadata files, newest first. */
  list(): Promise<Array<Record<string, unknown>>> {
    return listRecordings(this.#o.store);
  }

  /**
   * Commands of one device complete in arrival order: a start still creating its files is never
   * overtaken by a second start (two recordings, one orphaned) or by a stop (NOT_RECORDING).
   */
  #inOrder<T>(job: () => Promise<T>, mayStartOrEnd = true): Promise<T> {
    const counted = mayStartOrEnd ? 1 : 0;
    this.#queued += counted;
    const run = this.#queue.then(job).finally(() => (this.#queued -= counted));
    this.#queue = run.catch(() => {});
    return run;
  }

  /** A start in the queue; markers sent until it runs (or fails) are held for it. */
  #queuedStart(req: StartRequest, by: "command" | "--record"): Promise<RecordingResult> {
    this.#markers.startQueued();
    return this.#inOrder(() => this.#start(req, by).finally(() => this.#markers.startDone()));
  }

  async #start(req: StartRequest, by: "command" | "--record"): Promise<RecordingResult> {
    // one that ended by itself (duration, write failure) is finished outside the queue: wait for it
    const ending = this.#active?.ending;
    if (ending) await ending.catch(() => {});
    if (this.#active !== null) {
      return this.#refused(
        by,
        "RECORDING_ALREADY_ACTIVE",
        `A recording is already running: ${this.#active.context.sessionName}`,
        false,
      );
    }
    const name = req.sessionName ?? defaultName(this.#o.clock.now(), this.#o.deviceId);
    // only what this start creates is removed if it fails: another device may use the same names
    const { store, created } = trackingCreates(this.#o.store);
    let recorder: Recorder;
    let context: RecordingContext;
    try {
      await store.ensureDir();
      const wanted = [
        ...req.formats.map((f) => `${name}.${WRITERS[f]().extension}`),
        `${name}.json`,
        `${name}_events.csv`,
      ];
      const existing = new Set((await store.list()).map((f) => f.name));
      const taken = wanted.filter((n) => existing.has(n));
      if (taken.length > 0) {
        return this.#refused(
          by,
          "RECORDING_EXISTS",
          `Not overwriting ${taken.join(", ")}: choose another session_name`,
          false,
        );
      }
      const labels = this.#o.labels();
      context = {
        ...this.#o.context,
        id: `rec-${this.#nextId++}`,
        requestedAtMs: this.#o.clock.now(),
        sessionName: name,
        formats: req.formats,
        subject: req.subject ?? labels.subject,
        notes: req.notes ?? labels.session_label,
      };
      recorder = await Recorder.create({
        store,
        clock: this.#o.clock,
        writers: req.formats.map((f) => WRITERS[f]()),
        durationS: req.durationS,
        info: {
          sessionName: name,
          subject: context.subject,
          sessionLabel: labels.session_label,
          notes: context.notes,
          deviceName: context.deviceName,
          deviceAddress: context.deviceAddress,
          synthetic: context.synthetic,
          ...(context.deviceId !== undefined ? { deviceId: context.deviceId } : {}),
          bridgeVersion: context.bridgeVersion,
        },
        onEnd: (r) => this.#endedByItself(r),
        // the metadata learns first_seq and start_ms now, so a crash leaves them right
        onBegin: () => void (this.#active !== null && this.#writeMetadata(this.#active)),
      });
    } catch (e) {
      const left = await removeFiles(this.#o.store, created);
      const code = (e as { code?: string }).code === "EEXIST"
        ? "RECORDING_EXISTS"
        : "RECORDING_FAILED";
      return this.#refused(
        by,
        code,
        `Cannot start the recording ${name}: ${errorText(e)}${
          left.length > 0 ? `; left behind: ${left.join("; ")}` : ""
        }`,
        true,
      );
    }
    const active: Active = {
      recorder,
      context,
      ending: null,
      discarded: null,
      metadata: Promise.resolve(),
    };
    this.#active = active;
    this.#markers.started(recorder);
    // the partial packet the decoder holds now begins the raw file, so it decodes from its first byte
    recorder.onBytes(this.#o.device.session.pendingBytes());
    await this.#writeMetadata(active);
    this.#o.log.log("INFO", `Recording ${name} started (${req.formats.join(", ")})`);
    const object = this.#object(active);
    this.#o.announce(object);
    // a write that failed while the start was being announced ended it before it was active
    if (recorder.state === "failed") void this.#end(active);
    return { ok: true, recording: object };
  }

  /**
   * A start that failed on the disk is an ERROR line with the reason, whoever asked; `--record` has
   * nobody to answer, so its refusals are logged too (a client's refusal is its reply alone).
   */
  #refused(
    by: "command" | "--record",
    code: ErrorCode,
    message: string,
    fault: boolean,
  ): RecordingResult {
    if (by === "--record") {
      this.#o.log.log(
        code === "RECORDING_ALREADY_ACTIVE" ? "WARNING" : "ERROR",
        `--record could not start: ${message}`,
      );
    } else if (fault) this.#o.log.log("ERROR", message);
    return { ok: false, code, message };
  }

  async #autoStart(formats: RecordingFormat[]): Promise<void> {
    const result = await this.#queuedStart({
      sessionName: null,
      formats,
      durationS: null,
      subject: null,
      notes: null,
    }, "--record");
    if (!result.ok) this.#o.failed(`--record could not start: ${result.message}`);
  }

  /** The recorder ended by itself (its duration, or a write failure): finished once, whoever else asks. */
  #endedByItself(recorder: Recorder): void {
    const active = this.#active;
    if (active !== null && active.recorder === recorder) void this.#end(active);
  }

  #end(active: Active): Promise<Record<string, unknown>> {
    active.ending ??= this.#finish(active);
    return active.ending;
  }

  async #finish(active: Active): Promise<Record<string, unknown>> {
    const name = active.context.sessionName;
    await active.recorder.stop().catch((e: unknown) =>
      this.#o.log.log(
        "ERROR",
        `Recording ${name}: the files could not be finished: ${errorText(e)}`,
      )
    );
    const figures = active.recorder.figures();
    if (figures.firstSeq === null) {
      // headers without a sample are not files a reader accepts (a 0-byte BDF): none is kept
      const left = await removeFiles(this.#o.store, [
        ...figures.files.map((f) => f.name),
        `${name}.json`,
      ]);
      if (left.length === 0) active.discarded = DISCARDED;
      else {this.#o.log.log(
          "ERROR",
          `Recording ${name} holds no sample, but its files could not be removed: ${
            left.join("; ")
          }`,
        );}
    }
    if (this.#active === active) this.#active = null;
    if (active.discarded === null) await this.#writeMetadata(active);
    const object = this.#object(active);
    this.#last = object;
    if (figures.state === "failed") {
      this.#o.log.log(
        "ERROR",
        `Recording ${name} failed: ${figures.failure}; ${figures.samples} samples kept in the files`,
      );
    } else {
      this.#o.log.log(
        "INFO",
        `Recording ${name} ${String(object["state"])}: ${figures.samples} samples${
          active.discarded !== null ? ` (${DISCARDED})` : ""
        }`,
      );
    }
    this.#o.announce(object);
    if (figures.state === "failed") {
      this.#o.failed(
        `Recording ${name} failed: ${figures.failure}; the files keep what was written`,
      );
    }
    return object;
  }

  #writeMetadata(active: Active): Promise<void> {
    active.metadata = active.metadata.then(() => this.#writeMetadataNow(active));
    return active.metadata;
  }

  /** Writes the figures of this moment; a failure is logged, never thrown. */
  async #writeMetadataNow(active: Active): Promise<void> {
    try {
      const c = active.context;
      await writeMetadataFile(
        this.#o.store,
        `${c.sessionName}.json`,
        metadataOf(c, active.recorder, this.#object(active)),
      );
    } catch (e) {
      this.#o.log.log(
        "ERROR",
        `Cannot write the metadata of ${active.context.sessionName}: ${errorText(e)}`,
      );
    }
  }

  #object(active: Active): Record<string, unknown> {
    const object = recordingObject(active.context, active.recorder.figures());
    return active.discarded === null
      ? object
      : { ...object, files: [], discarded: active.discarded };
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
