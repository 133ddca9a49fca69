/**
 * @module The `--capture` file format: raw link bytes, with a boundary record before each
 * connection after the first (docs/capture-format.md). Writes records, and splits a byte
 * stream back into data and `LinkBoundary` markers, however the stream is chunked.
 *
 * A record is one ASCII line with a newline on both sides:
 *
 *     \n#mw75-capture v1 connection=<n> unix_ms=<t>\n
 *
 * `n` (≥ 1) counts connections as the writing bridge run knew them, `t` is when that
 * connection opened (integer Unix milliseconds); both are plain decimal, at most 15 digits.
 * The record holds no 0xAA byte, so a decoder unaware of it skips it as ~50 junk bytes.
 * Anything that does not match exactly (another version, a bad number, no closing newline
 * within the longest valid record) is data.
 */
import type { LinkBoundary, LinkChunk } from "../ports/device-source.ts";

const NEWLINE = 0x0a;
const HEAD = "\n#mw75-capture v1 connection=";
const MIDDLE = " unix_ms=";
// 15 digits stay below 2^53, so every accepted number is exact
const MAX_DIGITS = 15;
/** The longest valid record: anything longer that starts like one is data. */
export const MAX_RECORD_LEN = HEAD.length + MAX_DIGITS + MIDDLE.length + MAX_DIGITS + 1;

const HEAD_BYTES = new TextEncoder().encode(HEAD);
const MIDDLE_BYTES = new TextEncoder().encode(MIDDLE);

/** The record that goes before the bytes of connection `connection`, opened at `unixMs`. */
export function captureRecord(connection: number, unixMs: number): Uint8Array {
  if (
    !Number.isSafeInteger(connection) || connection < 1 || String(connection).length > MAX_DIGITS
  ) {
    throw new RangeError(
      `capture record connection must be an integer ≥ 1 of at most ${MAX_DIGITS} digits, got ${connection}`,
    );
  }
  const ms = Math.floor(unixMs);
  if (!Number.isSafeInteger(ms) || ms < 0 || String(ms).length > MAX_DIGITS) {
    throw new RangeError(
      `capture record unix_ms must be a time ≥ 0 of at most ${MAX_DIGITS} digits, got ${unixMs}`,
    );
  }
  return new TextEncoder().encode(`${HEAD}${connection}${MIDDLE}${ms}\n`);
}

/** A record found in `bytes`: the boundary it stands for and the index just past it. */
type Match = { boundary: LinkBoundary; end: number } | "no" | "more";

/** Matches a record starting at `at` (a newline); "more" when `bytes` ends before it is decided. */
function matchRecord(bytes: Uint8Array, at: number): Match {
  let p = at;
  const literal = (lit: Uint8Array): "ok" | "no" | "more" => {
    for (const b of lit) {
      if (p >= bytes.length) return "more";
      if (bytes[p++] !== b) return "no";
    }
    return "ok";
  };
  const number = (): number | "no" | "more" => {
    let value = 0;
    let digits = 0;
    for (;;) {
      if (p >= bytes.length) return "more";
      const d = bytes[p]! - 0x30;
      if (d < 0 || d > 9) break;
      if (++digits > MAX_DIGITS) return "no";
      value = value * 10 + d;
      p++;
    }
    return digits === 0 ? "no" : value;
  };

  const head = literal(HEAD_BYTES);
  if (head !== "ok") return head;
  const connection = number();
  if (typeof connection !== "number") return connection;
  if (connection < 1) return "no";
  const middle = literal(MIDDLE_BYTES);
  if (middle !== "ok") return middle;
  const unixMs = number();
  if (typeof unixMs !== "number") return unixMs;
  if (p >= bytes.length) return "more";
  if (bytes[p] !== NEWLINE) return "no";
  return { boundary: { kind: "boundary", connection, startedAtMs: unixMs }, end: p + 1 };
}

/** Streaming splitter over a capture's bytes (see `createCaptureSplitter`). */
export interface CaptureSplitter {
  /** Data pieces (views of the input, or of an internal copy) and markers, in stream order. */
  push(bytes: Uint8Array): LinkChunk[];
  /** What is still held back (the start of a record the stream ended in) comes out as data. */
  end(): LinkChunk[];
}

/**
 * Splits a capture into data and `LinkBoundary` markers. Records split across pushes at any
 * byte are found; only bytes that could still be the start of a record are held back (at most
 * `MAX_RECORD_LEN`), everything else comes out in the push that delivered it.
 */
export function createCaptureSplitter(): CaptureSplitter {
  let held: Uint8Array | null = null;
  return {
    push(input) {
      let bytes = input;
      if (held !== null) {
        bytes = new Uint8Array(held.length + input.length);
        bytes.set(held);
        bytes.set(input, held.length);
        held = null;
      }
      const out: LinkChunk[] = [];
      let dataStart = 0;
      let at = bytes.indexOf(NEWLINE);
      while (at >= 0) {
        const m = matchRecord(bytes, at);
        if (m === "more") {
          held = bytes.slice(at);
          break;
        }
        if (m === "no") {
          at = bytes.indexOf(NEWLINE, at + 1);
          continue;
        }
        if (at > dataStart) out.push(bytes.subarray(dataStart, at));
        out.push(m.boundary);
        dataStart = m.end;
        at = bytes.indexOf(NEWLINE, dataStart);
      }
      const dataEnd = held === null ? bytes.length : bytes.length - held.length;
      if (dataEnd > dataStart) out.push(bytes.subarray(dataStart, dataEnd));
      return out;
    },
    end() {
      const rest = held;
      held = null;
      return rest === null || rest.length === 0 ? [] : [rest];
    },
  };
}

/** Splits a whole capture at once: the data bytes (one buffer) and each marker's offset in them. */
export function splitCapture(
  bytes: Uint8Array,
): { data: Uint8Array; marks: Array<{ at: number; boundary: LinkBoundary }> } {
  const splitter = createCaptureSplitter();
  const pieces = [...splitter.push(bytes), ...splitter.end()];
  const marks: Array<{ at: number; boundary: LinkBoundary }> = [];
  const data: Uint8Array[] = [];
  let length = 0;
  for (const piece of pieces) {
    if (piece instanceof Uint8Array) {
      data.push(piece);
      length += piece.length;
    } else {
      marks.push({ at: length, boundary: piece });
    }
  }
  // no record: the file itself is the data, as before records existed
  if (marks.length === 0) return { data: bytes, marks };
  const joined = new Uint8Array(length);
  let at = 0;
  for (const piece of data) {
    joined.set(piece, at);
    at += piece.length;
  }
  return { data: joined, marks };
}
