/**
 * @module The `raw` recording format (docs/protocol/bridge-api.md §4.1): the device link's bytes exactly as they
 * arrived, in the `--capture` file format (docs/capture-format.md), so a recording replays with
 * `--source replay:FILE` and decodes with `npm run decode`.
 *
 * The FormatWriter contract has no boundary call, so connections are separated this way: the
 * file of a recording starts with the bytes of the connection that was open when it started (no
 * record, the file is new); when the device reconnects mid-recording, the recorder passes
 * `rawBoundaryRecord(n, openedAtMs)` to `raw()` before the new connection's first chunk (n = 2
 * for the first reconnect of the recording, then 3, …). A replayed capture's own boundaries
 * (`LinkBoundary` chunks) get a record the same way. The record makes the replay drop the
 * previous connection's unfinished packet instead of gluing it to the next bytes, which would
 * otherwise show as checksum failures; readers only rely on where a record is, not its numbers.
 */
import type { LinkBoundary } from "../ports/device-source.ts";
import { captureRecord } from "./capture-format.ts";
import type { Annotation, FormatWriter, Patch, RecordingInfo } from "./types.ts";

/**
 * The capture boundary record to pass to `raw()` before the first chunk of connection
 * `connection` (≥ 2 within a recording) opened at `unixMs`. Throws RangeError for numbers the
 * format cannot hold.
 */
export function rawBoundaryRecord(connection: number, unixMs: number): Uint8Array {
  return captureRecord(connection, unixMs);
}

/**
 * The record for a replayed capture's `LinkBoundary` (renumbered by the recording as
 * `connection`); a boundary without a recorded time gets `fallbackMs` (e.g. now).
 */
export function rawBoundaryRecordFor(
  boundary: LinkBoundary,
  connection: number,
  fallbackMs: number,
): Uint8Array {
  return captureRecord(connection, boundary.startedAtMs ?? fallbackMs);
}

/** Initial buffer: about 1 s of link bytes (500 packets of 63 bytes). */
const INITIAL_CAPACITY = 32 * 1024;

/**
 * Creates a raw writer. `raw()` copies each chunk at once (link adapters may reuse their
 * buffers, and the recorder takes the bytes later); `take()` returns everything since the last
 * call as one array. `figures()` reports `bytes` (all bytes given, records included).
 */
export function createRawWriter(): FormatWriter {
  let buffer = new Uint8Array(INITIAL_CAPACITY);
  let length = 0;
  let total = 0;

  function take(): Uint8Array | null {
    if (length === 0) return null;
    const out = buffer.slice(0, length);
    length = 0;
    // a burst (a fast replay taken rarely) must not pin its buffer for the rest of the recording
    if (buffer.length > 8 * INITIAL_CAPACITY) buffer = new Uint8Array(INITIAL_CAPACITY);
    return out;
  }

  function append(bytes: Uint8Array): void {
    if (length + bytes.length > buffer.length) {
      // doubling keeps a recorder that takes rarely (or a fast replay) linear in the bytes
      let capacity = buffer.length * 2;
      while (capacity < length + bytes.length) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(buffer.subarray(0, length));
      buffer = grown;
    }
    buffer.set(bytes, length);
    length += bytes.length;
    total += bytes.length;
  }

  return {
    format: "raw",
    extension: "raw",
    flushPerRecord: false,
    start(_info: RecordingInfo): null {
      return null;
    },
    samples(): void {},
    raw: append,
    reconnected(connection: number, atMs: number): void {
      append(captureRecord(connection, atMs));
    },
    // the recorder passes no bytes while paused, and marks the resume like a reconnect
    skip(): void {},
    annotate(_annotation: Annotation): void {},
    take,
    get pendingSamples(): number {
      return 0;
    },
    finish(): { tail: Uint8Array | null; patches: Patch[] } {
      return { tail: take(), patches: [] };
    },
    figures(): Record<string, number> {
      return { bytes: total, clipped: 0 };
    },
  };
}
