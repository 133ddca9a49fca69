/** @module Helpers for the source tests: bounded stream readers, a recording logger, packet checks. */
import type { LinkBoundary, LinkChunk } from "../../src/ports/device-source.ts";
import type { Logger, LogLevel } from "../../src/ports/logger.ts";
import { PACKET_LEN } from "../../src/decoder/types.ts";
import { checksumOf } from "../../src/sources/packet-builder.ts";

/** A Logger that remembers every record. */
export function recordingLogger(): Logger & {
  records: Array<{ level: LogLevel; message: string }>;
} {
  const records: Array<{ level: LogLevel; message: string }> = [];
  return { records, log: (level, message) => records.push({ level, message }) };
}

/** Open options with a fresh, never-aborted signal. */
export function openOptions(log: Logger = recordingLogger()): { signal: AbortSignal; log: Logger } {
  return { signal: new AbortController().signal, log };
}

/** What `readChunks` saw. */
export interface ReadResult {
  chunks: Uint8Array[];
  /** Connection boundaries (replayed captures), each with the byte offset in `bytes` where it came. */
  boundaries: Array<{ at: number; boundary: LinkBoundary }>;
  bytes: Uint8Array;
  /** True when the stream ended by itself (not because a limit was hit). */
  ended: boolean;
  elapsedMs: number;
}

/**
 * Reads until the stream ends, `maxBytes` have arrived, or `maxMs` has passed, whichever first.
 * The reader's lock is released but the stream is not cancelled.
 */
export async function readChunks(
  readable: ReadableStream<LinkChunk>,
  limits: { maxMs: number; maxBytes?: number },
): Promise<ReadResult> {
  const reader = readable.getReader();
  const chunks: Uint8Array[] = [];
  const boundaries: ReadResult["boundaries"] = [];
  let total = 0;
  let ended = false;
  const start = performance.now();
  const deadline = start + limits.maxMs;
  const maxBytes = limits.maxBytes ?? Number.POSITIVE_INFINITY;
  try {
    while (total < maxBytes) {
      const left = deadline - performance.now();
      if (left <= 0) break;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<"timeout">((
        resolve,
      ) => (timer = setTimeout(() => resolve("timeout"), left)));
      const result = await Promise.race([reader.read(), timeout]);
      clearTimeout(timer);
      if (result === "timeout") break;
      if (result.done) {
        ended = true;
        break;
      }
      if (!(result.value instanceof Uint8Array)) {
        boundaries.push({ at: total, boundary: result.value });
        continue;
      }
      chunks.push(result.value);
      total += result.value.length;
    }
  } finally {
    reader.releaseLock();
  }
  return { chunks, boundaries, bytes: concat(chunks), ended, elapsedMs: performance.now() - start };
}

/** Concatenates chunks into one buffer. */
export function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Per 63-byte slot of a packet-aligned buffer: sync ok, checksum ok, event id and counter. */
export function inspectAligned(
  bytes: Uint8Array,
): Array<{ sync: boolean; checksumOk: boolean; eventId: number; counter: number }> {
  const out = [];
  for (let at = 0; at + PACKET_LEN <= bytes.length; at += PACKET_LEN) {
    const p = bytes.subarray(at, at + PACKET_LEN);
    out.push({
      sync: p[0] === 0xaa,
      checksumOk: checksumOf(p) === (p[61]! | (p[62]! << 8)),
      eventId: p[1]!,
      counter: p[3]!,
    });
  }
  return out;
}

/** Byte-for-byte equality (cheaper and clearer in failures than a deep equal on big arrays). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
