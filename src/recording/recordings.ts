/**
 * @module The recordings of one device (docs/protocol/bridge-api.md §4.1): at most one active at a time, started
 * and stopped by commands (or `--record`), fed by the device's samples, raw bytes and markers
 * through an injected attach function, announced with the `recording` broadcast and event,
 * listed from the recordings directory.
 */
import type { Clock } from "../core/clock.ts";
import type { ErrorCode } from "../protocol/errors.ts";
import type { MarkerRequest } from "../core/markers.ts";
import type { Logger } from "../ports/logger.ts";
import type { StartRequest } from "../protocol/recording-requests.ts";
import { ActiveRecording, DISCARDED } from "./active-recording.ts";
import type { AttachConsumer } from "./attach.ts";
import { MarkerRouter } from "./marker-hold.ts";
import type { MarkerDevice, MarkResult } from "./marker-hold.ts";
import { listRecordings } from "./metadata-file.ts";
import type { Recorder } from "./recorder.ts";
import type { RecordingObject } from "./recording-object.ts";
import { setPaused } from "./pause-command.ts";
import type { PauseResult } from "./pause-command.ts";
import { openRecording } from "./recording-start.ts";
import type { DeviceFacts } from "./recording-start.ts";
import type { RecordingStore } from "../ports/recording-store.ts";
import type { RecordingFormat } from "./types.ts";

/** The outcome of a recording command: the recording's object, or why not. */
export type RecordingResult =
  | { ok: true; recording: RecordingObject }
  | { ok: false; code: ErrorCode; message: string };

/** What the recordings need of the device besides its stream (see MarkerDevice). */
export interface RecordingDevice extends MarkerDevice {
  /** The partial packet the decoder holds: a raw file begins with it, so it decodes from its first byte. */
  pendingBytes(): Uint8Array;
}

/** What the recordings need from the bridge. */
export interface RecordingsOptions {
  /** Attaches the recordings to the device's stream, for the device's whole life. */
  attach: AttachConsumer;
  device: RecordingDevice;
  store: RecordingStore;
  clock: Clock;
  log: Logger;
  /** Fixed facts for the headers and the metadata. */
  context: DeviceFacts;
  /** The `subject`/`session_label` settings, read when a recording starts. */
  labels(): { subject: string; session_label: string };
  /** Sends the `recording` message to every client (with the object) and RECORDING_FAILED errors. */
  announce(recording: RecordingObject): void;
  failed(message: string): void;
  /** `--record`: start a recording in these formats at the first `connected`. */
  recordOnConnect?: RecordingFormat[];
  /** One of several devices: default session names start with its id (no two devices collide). */
  deviceId?: string;
}

type StartedBy = "command" | "--record";

export class Recordings {
  #o: RecordingsOptions;
  #active: ActiveRecording | null = null;
  #last: RecordingObject | null = null;
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
          : { recorder: a.recorder, sessionName: a.facts.sessionName, ending: a.ending !== null };
      },
    });
    // the recordings live as long as the device: never detached
    o.attach({
      onBlock: (block) => this.#active?.recorder.onSamples(block),
      onBytes: (bytes) => this.#active?.recorder.onBytes(bytes),
      onEvent: (event) => {
        if (event.type === "marker") this.#markers.onEvent(event.marker);
        else if (event.type === "state_change" && event.to === "connected") this.#connected();
      },
      pressure: () => this.#active?.recorder.pressure() ?? null,
    });
  }

  /** The active recording's object, else the last one's, else null. */
  status(): RecordingObject | null {
    return this.#active !== null ? this.#active.object() : this.#last;
  }

  /** `status()` once the commands that arrived before have been carried out (`recording_status`). */
  statusInOrder(): Promise<RecordingObject | null> {
    return this.#inOrder(() => Promise.resolve(this.status()), false);
  }

  /** The running recording's object, or null (also while a start is still under way). */
  current(): RecordingObject | null {
    return this.#active !== null ? this.#active.object() : null;
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

  /** Pauses or resumes the active recording after the commands before it; a change is announced like a start. */
  setPaused(paused: boolean): Promise<PauseResult> {
    return this.#inOrder(async () => {
      const r = setPaused(this.#active, paused, Math.max(1, this.#connections));
      if (!r.ok || !r.changed) return r;
      // GET /recordings lists from the metadata: it says paused once the ack is out
      await this.#active!.writeMetadata();
      this.#o.log.log("INFO", `Recording ${r.recording.session_name} ${r.recording.state}`);
      this.#o.announce(r.recording);
      return r;
    }, false);
  }

  /** Shutdown: an active recording is stopped and finalised (after the commands already queued). */
  close(): Promise<void> {
    return this.#inOrder(async () => {
      if (this.#active !== null) await this.#end(this.#active);
    });
  }

  /** Recordings on disk: the objects of their metadata files, newest first. */
  list(): Promise<RecordingObject[]> {
    return listRecordings(this.#o.store);
  }

  /** The device connected: a reconnection is a boundary in the raw file; the first one may start `--record`. */
  #connected(): void {
    this.#connections++;
    if (this.#connections > 1) this.#active?.recorder.onReconnect(this.#connections);
    else if (this.#o.recordOnConnect !== undefined) void this.#autoStart(this.#o.recordOnConnect);
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
  #queuedStart(req: StartRequest, by: StartedBy): Promise<RecordingResult> {
    this.#markers.startQueued();
    return this.#inOrder(() => this.#start(req, by).finally(() => this.#markers.startDone()));
  }

  async #start(req: StartRequest, by: StartedBy): Promise<RecordingResult> {
    // one that ended by itself (duration, write failure) is finished outside the queue: wait for it
    const ending = this.#active?.ending;
    if (ending) await ending.catch(() => {});
    if (this.#active !== null) {
      return this.#refused(
        by,
        "RECORDING_ALREADY_ACTIVE",
        `A recording is already running: ${this.#active.facts.sessionName}`,
        false,
      );
    }
    const opened = await openRecording(req, {
      store: this.#o.store,
      clock: this.#o.clock,
      facts: this.#o.context,
      labels: this.#o.labels(),
      nextId: () => `rec-${this.#nextId++}`,
      deviceId: this.#o.deviceId,
      onEnd: (r) => this.#endedByItself(r),
      // the metadata learns first_seq and start_ms now, so a crash leaves them right
      onBegin: () => void this.#active?.writeMetadata(),
    });
    if (!opened.ok) return this.#refused(by, opened.code, opened.message, opened.fault);
    const { recorder, facts } = opened;
    const active = new ActiveRecording(recorder, facts, this.#o.store, this.#o.log);
    this.#active = active;
    this.#markers.started(recorder);
    // the partial packet the decoder holds now begins the raw file, so it decodes from its first byte
    recorder.onBytes(this.#o.device.pendingBytes());
    await active.writeMetadata();
    this.#o.log.log("INFO", `Recording ${facts.sessionName} started (${req.formats.join(", ")})`);
    const object = active.object();
    this.#o.announce(object);
    // a write that failed while the start was being announced ended it before it was active
    if (recorder.state === "failed") void this.#end(active);
    return { ok: true, recording: object };
  }

  /**
   * A start that failed on the disk is an ERROR line with the reason, whoever asked; `--record` has
   * nobody to answer, so its refusals are logged too (a client's refusal is its reply alone).
   */
  #refused(by: StartedBy, code: ErrorCode, message: string, fault: boolean): RecordingResult {
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

  #end(active: ActiveRecording): Promise<RecordingObject> {
    active.ending ??= this.#finish(active);
    return active.ending;
  }

  async #finish(active: ActiveRecording): Promise<RecordingObject> {
    const name = active.facts.sessionName;
    const figures = await active.finishFiles();
    if (this.#active === active) this.#active = null;
    if (!active.discarded) await active.writeMetadata();
    const object = active.object();
    this.#last = object;
    if (figures.state === "failed") {
      this.#o.log.log(
        "ERROR",
        `Recording ${name} failed: ${figures.failure}; ${figures.samples} samples kept in the files`,
      );
    } else {
      this.#o.log.log(
        "INFO",
        `Recording ${name} ${object.state}: ${figures.samples} samples${
          active.discarded ? ` (${DISCARDED})` : ""
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
}
