/**
 * @module `start_recording`, `stop_recording`, `pause_recording`, `resume_recording`, `recording_status` and `marker` (docs/protocol/bridge-api.md §4, §11),
 * for the WebSocket dispatcher and for `POST /markers`: validate, act on the device's
 * recordings, answer with an ack, the `recording` reply or the specific error.
 */
import type { Device } from "../core/device.ts";
import type { MarkerRequest } from "../core/markers.ts";
import type { ErrorCode } from "../protocol/errors.ts";
import { markerData } from "../protocol/encoders/device-events.ts";
import { freshId } from "../protocol/envelope.ts";
import { parseMarker, parseStartRecording } from "../protocol/recording-requests.ts";
import type { RecordingObject } from "../recording/recording-object.ts";
import type { Recordings } from "../recording/recordings.ts";

/** What the recording commands act on; `recordings` is null when the server has no recordings directory. */
export interface RecordingCommands {
  device: Device;
  recordings: Recordings | null;
}

const NO_RECORDINGS =
  "Recording is not available: this server was started without a recordings directory";

/** A marker as the wire shows it (the ack, POST /markers). */
type MarkerData = ReturnType<typeof markerData>;
/** What the recording commands answer: an ack with the recording or the marker, or the `recording` reply. */
type ReplyData =
  | { command: "start_recording" | "stop_recording"; recording: RecordingObject }
  | {
    command: "pause_recording" | "resume_recording";
    recording: RecordingObject;
    message?: string;
  }
  | { command: "marker"; marker: MarkerData }
  | RecordingObject
  | { state: "none" };
type Reply = (type: "command_ack" | "recording", data: ReplyData) => void;
type Refuse = (code: ErrorCode, message: string) => void;

/**
 * Executes one recording command; the start and stop replies come once the files are ready or
 * final. A device's recording commands complete in arrival order (Recordings queues them).
 */
export function dispatchRecording(
  c: RecordingCommands,
  type: string,
  data: unknown,
  reply: Reply,
  refuse: Refuse,
): void {
  const recordings = c.recordings;
  if (recordings === null && type !== "marker") {
    // nothing can be recording here: stopping, pausing or resuming is NOT_RECORDING (§9)
    const nothingToEnd = type === "stop_recording" || type === "pause_recording" ||
      type === "resume_recording";
    return refuse(nothingToEnd ? "NOT_RECORDING" : "RECORDING_FAILED", NO_RECORDINGS);
  }
  switch (type) {
    case "start_recording": {
      const req = parseStartRecording(data);
      if (!req.ok) return refuse(req.code, req.message);
      void recordings!.start(req.value).then(
        (
          r,
        ) => (r.ok
          ? reply("command_ack", { command: "start_recording", recording: r.recording })
          : refuse(r.code, r.message)),
        (e: unknown) =>
          refuse(
            "RECORDING_FAILED",
            `Cannot start the recording: ${e instanceof Error ? e.message : String(e)}`,
          ),
      );
      return;
    }
    case "stop_recording":
      void recordings!.stop().then(
        (
          r,
        ) => (r.ok
          ? reply("command_ack", { command: "stop_recording", recording: r.recording })
          : refuse(r.code, r.message)),
        (e: unknown) =>
          refuse(
            "RECORDING_FAILED",
            `Cannot stop the recording: ${e instanceof Error ? e.message : String(e)}`,
          ),
      );
      return;
    case "pause_recording":
    case "resume_recording": {
      const command = type;
      void recordings!.setPaused(type === "pause_recording").then(
        (r) => {
          if (!r.ok) return refuse(r.code, r.message);
          const message = r.message === undefined ? {} : { message: r.message };
          reply("command_ack", { command, recording: r.recording, ...message });
        },
        (e: unknown) =>
          refuse(
            "RECORDING_FAILED",
            `Cannot ${command}: ${e instanceof Error ? e.message : String(e)}`,
          ),
      );
      return;
    }
    case "recording_status":
      // after the start or stop sent just before it: the answer reflects the commands in their order
      void recordings!.statusInOrder().then((status) =>
        reply("recording", status ?? { state: "none" })
      );
      return;
    case "marker": {
      const result = placeMarker(c, data);
      if (!result.ok) return refuse(result.code, result.message);
      return reply("command_ack", { command: "marker", marker: result.marker });
    }
  }
}

/** Validates and places a marker (shared by the `marker` command and POST /markers); refused when a recording would drop it. */
export function placeMarker(
  c: RecordingCommands,
  data: unknown,
): { ok: true; marker: MarkerData } | {
  ok: false;
  code: "INVALID_PARAMETERS";
  message: string;
} {
  const parsed = parseMarker(data);
  if (!parsed.ok) return parsed;
  return placeRequest(c, parsed.value);
}

/** Places a validated marker (a client's, or one the LSL marker inlet received). */
export function placeRequest(
  c: RecordingCommands,
  req: MarkerRequest,
): { ok: true; marker: MarkerData } | { ok: false; code: "INVALID_PARAMETERS"; message: string } {
  if (c.recordings === null) return { ok: true, marker: markerData(c.device.mark(req, freshId())) };
  // a marker the running recording would leave out is refused, not acknowledged
  const placed = c.recordings.mark(req, freshId());
  return placed.ok ? { ok: true, marker: markerData(placed.marker) } : placed;
}
