/** @module SegmentArena: records of any length come back whole, across the wrap and after growth. */
import { describe, expect, test } from "bun:test";
import { SegmentArena } from "../../src/core/segment-arena.ts";
import { createPrng } from "../../src/sources/signal.ts";

/** A record whose words say which record it is and where in it they are. */
const record = (id: number, n: number) => Uint32Array.from({ length: n }, (_, i) => id * 1000 + i);

describe("SegmentArena", () => {
  test("gives every held record back as pushed, FIFO, whatever their lengths", () => {
    const rand = createPrng(42);
    const arena = new SegmentArena(6);
    const held: { id: number; n: number }[] = [];
    let wrapped = 0;
    let sizeAfterWarmUp = 0;
    for (let id = 0; id < 3000; id++) {
      if (held.length === 6 || (held.length > 0 && rand() < 0.4)) {
        arena.shift();
        held.shift();
      }
      // lengths around 100 words, now and then a long one (the buffer grows for it)
      const n = rand() < 0.01 ? 400 : 90 + Math.floor(rand() * 20);
      arena.push(record(id, n), id + 0.5);
      held.push({ id, n });
      if (id === 1000) sizeAfterWarmUp = arena.byteSize;
      expect(arena.count).toBe(held.length);
      held.forEach(({ id: want, n: len }, j) => {
        expect(arena.tag(j)).toBe(want + 0.5);
        const got = arena.read(j, (words, offset) => {
          // not the arena's own buffer (its size less the slot tables, 16 bytes a slot): a joined copy
          if (words.length !== (arena.byteSize - 6 * 16) / 4) wrapped++;
          return Array.from(words.subarray(offset, offset + len));
        });
        expect(got).toEqual(Array.from(record(want, len)));
      });
    }
    expect(wrapped).toBeGreaterThan(0); // some reads went through the joined copy
    // no growth once it fits the longest run of records seen
    expect(arena.byteSize).toBe(sizeAfterWarmUp);
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
