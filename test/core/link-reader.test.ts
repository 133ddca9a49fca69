/** @module readLink's yield to the event loop: taken after a stretch of back-to-back chunks, never for a paced source whose reads wait. */
import { describe, expect, test } from "bun:test";
import type { Clock } from "../../src/core/clock.ts";
import { readLink } from "../../src/core/link-reader.ts";
import type { LinkChunk } from "../../src/ports/device-source.ts";

/** A clock whose time moves only when told, counting the yields readLink asks for. */
function countingClock(): Clock & { t: number; yields: number } {
  const clock = {
    t: 0,
    yields: 0,
    now: () => clock.t,
    setTimeout: (fn: () => void) => {
      clock.yields++;
      queueMicrotask(fn);
      return 0;
    },
    clearTimeout: () => {},
    setInterval: () => 0,
    clearInterval: () => {},
  };
  return clock;
}

/** A reader of `count` chunks whose every read takes `readMs` of the clock before it resolves. */
function reader(
  clock: { t: number },
  count: number,
  readMs: number,
): ReadableStreamDefaultReader<LinkChunk> {
  let left = count;
  return {
    read: () => {
      clock.t += readMs;
      return Promise.resolve(
        left-- > 0 ? { done: false as const, value: new Uint8Array(64) } : { done: true as const },
      );
    },
  } as unknown as ReadableStreamDefaultReader<LinkChunk>;
}

describe("readLink", () => {
  test("a paced source (each read waits 10 ms) is never interrupted by a yield", async () => {
    const clock = countingClock();
    let chunks = 0;
    const end = await readLink(reader(clock, 50, 10), clock, () => {
      chunks++;
      clock.t += 2; // the work on each chunk, far less than the pause before the next
    }, () => true);
    expect(end.kind).toBe("ended");
    expect(chunks).toBe(50);
    expect(clock.yields).toBe(0);
  });

  test("chunks that are always ready yield once per stretch of more than 4 ms", async () => {
    const clock = countingClock();
    const end = await readLink(reader(clock, 50, 0), clock, () => {
      clock.t += 1;
    }, () => true);
    expect(end.kind).toBe("ended");
    // 50 ms of back-to-back work in stretches of 5 chunks (> 4 ms): 10 yields
    expect(clock.yields).toBe(10);
  });
});
