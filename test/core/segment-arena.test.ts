/** @module SegmentArena: records of any length come back whole, across chunk boundaries, and chunks are reused. */
import { describe, expect, test } from "bun:test";
import { SegmentArena } from "../../src/core/segment-arena.ts";
import { createPrng } from "../../src/sources/signal.ts";

/** A record whose words say which record it is and where in it they are. */
const record = (id: number, n: number) => Uint32Array.from({ length: n }, (_, i) => id * 1000 + i);

const CHUNK_BYTES = 8192;

describe("SegmentArena", () => {
  test("gives every held record back as pushed, FIFO, whatever their lengths", () => {
    const rand = createPrng(42);
    const arena = new SegmentArena(6);
    const tables = 6 * (8 + 4 + 8);
    const held: { id: number; n: number }[] = [];
    let joined = 0;
    let most = 0;
    for (let id = 0; id < 3000; id++) {
      if (held.length === 6 || (held.length > 0 && rand() < 0.4)) {
        arena.shift();
        held.shift();
      }
      // lengths around 600 words (a segment), now and then one longer than a chunk
      const n = rand() < 0.01 ? 3000 : 550 + Math.floor(rand() * 100);
      arena.push(record(id, n), id + 0.5);
      held.push({ id, n });
      expect(arena.count).toBe(held.length);
      held.forEach(({ id: want, n: len }, j) => {
        expect(arena.tag(j)).toBe(want + 0.5);
        const got = arena.read(j, (words, offset) => {
          if (words.length !== CHUNK_BYTES / 4) joined++; // a record across chunks, copied
          return Array.from(words.subarray(offset, offset + len));
        });
        expect(got).toEqual(Array.from(record(want, len)));
      });
      most = Math.max(most, arena.byteSize - tables);
    }
    expect(joined).toBeGreaterThan(0);
    // at most 6 × 3000 words live: 9 chunks, one more partly used at each end, one spare
    expect(most).toBeLessThanOrEqual(12 * CHUNK_BYTES);
  });

  test("keeps only what its records use, and one spare chunk, once they are dropped", () => {
    const arena = new SegmentArena(40);
    for (let id = 0; id < 40; id++) arena.push(record(id, 1000), id);
    expect(arena.byteSize - 40 * 20).toBe(20 * CHUNK_BYTES); // 40 000 words in 2048-word chunks
    for (let id = 0; id < 39; id++) arena.shift();
    // the last record (words 39 000–39 999) lies in chunk 19; one spare is kept
    expect(arena.byteSize - 40 * 20).toBe(2 * CHUNK_BYTES);
    expect(arena.read(0, (w, o) => w[o])).toBe(39_000);
  });

  test("refuses more records than it has slots for", () => {
    const arena = new SegmentArena(2);
    arena.push(record(1, 3), 0);
    arena.push(record(2, 3), 0);
    expect(() => arena.push(record(3, 3), 0)).toThrow(RangeError);
    arena.shift();
    arena.push(record(3, 3), 0);
    expect(arena.read(1, (w, o) => w[o])).toBe(3000);
  });
});
