/** @module Reads a device link chunk by chunk until it ends, fails, or its session moved on. */
import type { Clock } from "./clock.ts";
import type { LinkChunk } from "../ports/device-source.ts";

/** Why reading stopped. */
export type ReadEnd =
  | { kind: "ended"; reason: string }
  | { kind: "failed"; error: unknown }
  | { kind: "stopped" };

/** Longest stretch of back-to-back chunk processing before the reader lets other tasks run. */
const YIELD_EVERY_MS = 4;
/** A read that took longer than this waited for data (one that finds it ready takes microseconds). */
const WAITED_MS = 1;

/**
 * Feeds every chunk to `onChunk`. A read error or the end of the stream is a dropped link
 * (`ended`); an exception from `onChunk` is `failed`; `current()` turning false is `stopped`.
 */
export async function readLink(
  reader: ReadableStreamDefaultReader<LinkChunk>,
  clock: Clock,
  onChunk: (chunk: LinkChunk) => void,
  current: () => boolean,
  /** After each chunk: a promise to wait on before reading on (a sink that is behind), or null. */
  pressure: () => Promise<void> | null = () => null,
): Promise<ReadEnd> {
  let sliceStart = clock.now();
  for (;;) {
    let chunk: Awaited<ReturnType<typeof reader.read>>;
    const asked = clock.now();
    try {
      chunk = await reader.read();
    } catch (e) {
      return current()
        ? { kind: "ended", reason: `link error: ${errorText(e)}` }
        : { kind: "stopped" };
    }
    // a read that had to wait for data let the event loop run meanwhile: a new stretch starts
    // (else a paced source, one chunk per timer, would pay a second timer per chunk for the yield)
    const arrived = clock.now();
    if (arrived - asked > WAITED_MS) sliceStart = arrived;
    if (!current()) return { kind: "stopped" };
    if (chunk.done) return { kind: "ended", reason: "the device closed the link" };
    try {
      onChunk(chunk.value);
    } catch (e) {
      return { kind: "failed", error: e };
    }
    const wait = pressure();
    if (wait !== null) {
      await wait;
      sliceStart = clock.now();
    }
    // a source that always has data ready (unthrottled sim, fast replay) resolves reads as
    // microtasks only; yield to the event loop now and then so sockets and timers still run
    if (clock.now() - sliceStart > YIELD_EVERY_MS) {
      await new Promise<void>((resolve) => clock.setTimeout(resolve, 0));
      sliceStart = clock.now();
    }
  }
}

/** The message of an Error, or the value as text. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
