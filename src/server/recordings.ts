/**
 * @module The recordings of one device (BRIDGE-API §4.1): at most one active at a time, started
 * and stopped by commands (or `--record`), fed by the device's samples, raw bytes and markers,
 * announced with the `recording` broadcast and event, listed from the recordings directory.
 */
import type { Clock } from "../core/clock.ts";
import type { Device } from "../core/device.ts";
import type { ErrorCode } from "../core/errors.ts";
import type { LogHub } from "../core/log-hub.ts";
import type { DeviceSource, Logger } from "../core/ports.ts";
import { envelope, errorMessage, freshId } from "../protocol/envelope.ts";
import { VERSION } from "../protocol/version.ts";
import type { Hub } from "./hub.ts";
import type { StartRequest } from "../protocol/recording-requests.ts";
import { createBdfWriter, createEdfWriter } from "../recording/edf-writer.ts";
import { createCsvWriter } from "../recording/csv-writer.ts";
import { buildMetadata } from "../recording/metadata.ts";
import { createRawWriter } from "../recording/raw-writer.ts";
import { Recorder } from "../recording/recorder.ts";
import type { RecordingStore } from "../recording/store.ts";
import type { FormatWriter, RecordingFormat } from "../recording/types.ts";
import { recordingObject } from "./recording-object.ts";
import type { RecordingContext } from "./recording-object.ts";

/** The outcome of a recording command: the recording's object, or why not. */
export type RecordingResult =
  | { ok: true; recording: Record<string, unknown> }
  | { ok: false; code: ErrorCode; message: string };

const WRITERS: Record<RecordingFormat, () => FormatWriter> = {
  bdf: createBdfWriter,
  edf: createEdfWriter,
  csv: createCsvWriter,
  raw: createRawWriter,
};

/** What the recordings need from the bridge. */
export interface RecordingsOptions {
  device: Device;
  store: RecordingStore;
  clock: Clock;
  log: Logger;
  /** Fixed facts for the headers and the metadata. */
  context: Omit<RecordingContext, "sessionName" | "formats" | "subject" | "notes" | "id" | "requestedAtMs">;
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

export class Recordings {
  #o: RecordingsOptions;
  #active: { recorder: Recorder; context: RecordingContext } | null = null;
  #last: Record<string, unknown> | null = null;
  #connections = 0;
  #nextId = 1;

  constructor(o: RecordingsOptions) {
    this.#o = o;
    o.device.listen({
      onSamples: (block) => this.#active?.recorder.onSamples(block),
      onBytes: (bytes) => this.#active?.recorder.onBytes(bytes),
      onStatus: (state) => {
        if (state !== "connected") return;
        this.#connections++;
        if (this.#connections > 1) this.#active?.recorder.onReconnect(this.#connections);
        else if (o.recordOnConnect !== undefined) void this.#autoStart(o.recordOnConnect);
      },
      onEvent: (event) => {
        if (event.type === "marker") this.#active?.recorder.onMarker(event.marker);
      },
      pressure: () => this.#active?.recorder.pressure() ?? null,
    });
  }

  /** The active recording's object, else the last one's, else null. */
  status(): Record<string, unknown> | null {
    return this.#active !== null ? this.#object(this.#active) : this.#last;
  }

  get active(): boolean {
    return this.#active !== null;
  }

  /** Starts a recording; the files exist (empty) when this resolves. */
  async start(req: StartRequest): Promise<RecordingResult> {
    if (this.#active !== null) {
      return { ok: false, code: "RECORDING_ALREADY_ACTIVE", message: `A recording is already running: ${this.#active.context.sessionName}` };
    }
    const name = req.sessionName ?? defaultName(this.#o.clock.now(), this.#o.deviceId);
    await this.#o.store.ensureDir();
    const wanted = [...req.formats.map((f) => `${name}.${WRITERS[f]().extension}`), `${name}.json`, `${name}_events.csv`];
    const existing = new Set((await this.#o.store.list()).map((f) => f.name));
    const taken = wanted.filter((n) => existing.has(n));
    if (taken.length > 0) return { ok: false, code: "RECORDING_EXISTS", message: `Not overwriting ${taken.join(", ")}: choose another session_name` };
    const labels = this.#o.labels();
    const context: RecordingContext = {
      ...this.#o.context,
      id: `rec-${this.#nextId++}`,
      requestedAtMs: this.#o.clock.now(),
      sessionName: name,
      formats: req.formats,
      subject: req.subject ?? labels.subject,
      notes: req.notes ?? labels.session_label,
    };
    let recorder: Recorder;
    try {
      recorder = await Recorder.create({
        store: this.#o.store,
        clock: this.#o.clock,
        writers: req.formats.map((f) => WRITERS[f]()),
        durationS: req.durationS,
        info: {
          sessionName: name, subject: context.subject, sessionLabel: labels.session_label, notes: context.notes,
          deviceName: context.deviceName, deviceAddress: context.deviceAddress, synthetic: context.synthetic,
          ...(context.deviceId !== undefined ? { deviceId: context.deviceId } : {}),
          bridgeVersion: context.bridgeVersion,
        },
        onEnd: (r) => void this.#ended(r),
        // the metadata learns first_seq and start_ms now, so a crash leaves them right
        onBegin: () => void (this.#active !== null && this.#writeMetadata(this.#active)),
      });
    } catch (e) {
      const code = (e as { code?: string }).code === "EEXIST" ? "RECORDING_EXISTS" : "RECORDING_FAILED";
      return { ok: false, code, message: `Cannot start the recording: ${errorText(e)}` };
    }
    this.#active = { recorder, context };
    // the partial packet the decoder holds now begins the raw file, so it decodes from its first byte
    recorder.onBytes(this.#o.device.session.pendingBytes());
    await this.#writeMetadata(this.#active);
    this.#o.log.log("INFO", `Recording ${name} started (${req.formats.join(", ")})`);
    const object = this.#object(this.#active);
    this.#o.announce(object);
    return { ok: true, recording: object };
  }

  /** Stops the active recording (after completing its last data record); resolves with its final object. */
  async stop(): Promise<RecordingResult> {
    const active = this.#active;
    if (active === null) return { ok: false, code: "NOT_RECORDING", message: "No recording is running" };
    await active.recorder.stop();
    return { ok: true, recording: await this.#finish(active) };
  }

  /** Recordings on disk: the objects of their metadata files, newest first. */
  async list(): Promise<Array<Record<string, unknown>>> {
    const files = (await this.#o.store.list()).filter((f) => f.name.endsWith(".json"));
    const out: Array<Record<string, unknown>> = [];
    for (const f of files) {
      try {
        const meta = JSON.parse(await this.#o.store.readText(f.name)) as Record<string, unknown>;
        if (typeof meta["recording"] === "object" && meta["recording"] !== null) out.push(meta["recording"] as Record<string, unknown>);
      } catch {
        /* not one of ours, or being replaced right now */
      }
    }
    return out.sort((a, b) => Number(b["started_at"] ?? 0) - Number(a["started_at"] ?? 0));
  }

  async #autoStart(formats: RecordingFormat[]): Promise<void> {
    const result = await this.start({ sessionName: null, formats, durationS: null, subject: null, notes: null });
    if (!result.ok) this.#o.failed(`--record could not start: ${result.message}`);
  }

  /** Shutdown: an active recording is stopped and finalised. */
  async close(): Promise<void> {
    if (this.#active !== null) await this.stop();
  }

  async #ended(recorder: Recorder): Promise<void> {
    const active = this.#active;
    if (active === null || active.recorder !== recorder) return;
    await recorder.stop();
    const object = await this.#finish(active);
    if (recorder.state === "failed") this.#o.failed(`Recording ${active.context.sessionName} failed: ${recorder.figures().failure}; the files keep what was written`);
    void object;
  }

  async #finish(active: { recorder: Recorder; context: RecordingContext }): Promise<Record<string, unknown>> {
    if (this.#active === active) this.#active = null;
    await this.#writeMetadata(active);
    const object = this.#object(active);
    this.#last = object;
    this.#o.log.log("INFO", `Recording ${active.context.sessionName} ${String(object["state"])}: ${String(object["samples"])} samples`);
    this.#o.announce(object);
    return object;
  }

  async #writeMetadata(active: { recorder: Recorder; context: RecordingContext }): Promise<void> {
    try {
      const c = active.context;
      const f = active.recorder.figures();
      const metadata = buildMetadata({
        info: active.recorder.info(c.requestedAtMs),
        source: c.source,
        state: f.state,
        startedAtMs: f.startMs ?? c.requestedAtMs,
        stoppedAtMs: f.stoppedAtMs,
        lastSeq: f.lastSeq,
        samples: f.samples,
        lost: f.lost,
        duplicates: f.duplicates,
        markers: f.markers,
        gaps: f.gaps,
        formats: c.formats,
        files: f.files.map((file) => ({ ...file, format: file.format as RecordingFormat | "events" })),
        figures: f.writerFigures,
        ...(f.failure !== null ? { failureReason: f.failure } : {}),
      });
      // the wire object rides along, so GET /recordings can list recordings from their files alone
      await writeMetadataFile(this.#o.store, `${c.sessionName}.json`, { ...metadata, recording: this.#object(active) });
    } catch (e) {
      this.#o.log.log("ERROR", `Cannot write the metadata of ${active.context.sessionName}: ${errorText(e)}`);
    }
  }

  #object(active: { recorder: Recorder; context: RecordingContext }): Record<string, unknown> {
    return recordingObject(active.context, active.recorder.figures());
  }
}

/** `rec-20261201T214012Z`: the UTC start time, valid as a session name. */
function defaultName(nowMs: number, deviceId: string | undefined): string {
  const name = `rec-${new Date(nowMs).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}`;
  return deviceId === undefined ? name : `${deviceId}-${name}`;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** What `recordingsFor` wires a device's recordings to. */
export interface RecordingsWiring {
  device: Device;
  hub: Hub;
  store: RecordingStore;
  clock: Clock;
  logs: LogHub;
  source: DeviceSource;
  labels(): { subject: string; session_label: string };
  recordOnConnect: RecordingFormat[] | undefined;
  /** Set for one of several devices (see RecordingsOptions.deviceId). */
  deviceId?: string;
  /** The device's address for the metadata, when known. */
  address?: string | null;
  /** The device's id for the metadata (every device has one; `deviceId` is set only with several). */
  identityId?: string;
}

/** The recordings of a bridge's device: `recording` broadcasts and events, RECORDING_FAILED errors. */
export function recordingsFor(w: RecordingsWiring): Recordings {
  return new Recordings({
    device: w.device, store: w.store, clock: w.clock, log: w.logs.logger(`mw75.recording${w.deviceId === undefined ? "" : `[${w.deviceId}]`}`),
    context: {
      deviceName: w.source.synthetic ? "simulated MW75 Neuro" : "MW75 Neuro", deviceAddress: w.address ?? null,
      ...(w.identityId !== undefined ? { deviceId: w.identityId } : {}),
      source: w.source.kind, synthetic: w.source.synthetic, bridgeVersion: VERSION,
    },
    labels: w.labels,
    ...(w.recordOnConnect !== undefined ? { recordOnConnect: w.recordOnConnect } : {}),
    ...(w.deviceId !== undefined ? { deviceId: w.deviceId } : {}),
    announce: (recording) => {
      w.hub.broadcast(envelope(freshId(), "recording", recording));
      w.device.emit({ type: "recording", atMs: w.clock.now(), recording });
    },
    failed: (message) => w.hub.broadcast(errorMessage(freshId(), "RECORDING_FAILED", message, w.clock.now())),
  });
}

/**
 * Replaces a metadata file atomically; when that fails (a full disk has no room for the temporary
 * copy), rewrites it in place: the new text usually fits the blocks the old one has.
 */
async function writeMetadataFile(store: RecordingStore, name: string, value: unknown): Promise<void> {
  try {
    await store.writeJson(name, value);
  } catch (e) {
    const bytes = new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
    let file;
    try {
      file = await store.open(name);
    } catch {
      throw e;
    }
    try {
      await file.writeAt(0, bytes);
      await file.truncate(bytes.length);
      await file.sync();
    } finally {
      await file.close().catch(() => {});
    }
  }
}
