/** @module The collection pacer: a full collection once the resident size has grown a step above its lowest reading since the last one. */
import { describe, expect, test } from "bun:test";
import { createCollectionPacer } from "../../src/adapters/runtime/collection-pacer.ts";

const MB = 1024 * 1024;

/** A pacer over scripted readings; `collect` drops the resident size to `afterCollect`. */
function scripted(startMb: number, afterCollectMb: number) {
  let residentMb = startMb;
  let collections = 0;
  const check = createCollectionPacer({
    residentBytes: () => residentMb * MB,
    collect: () => {
      collections++;
      residentMb = afterCollectMb;
    },
    stepBytes: 24 * MB,
  });
  const at = (mb: number) => {
    residentMb = mb;
    return check();
  };
  return { at, collections: () => collections, resident: () => residentMb };
}

describe("createCollectionPacer", () => {
  test("collects only once the growth over the floor reaches the step, then measures from after it", () => {
    const p = scripted(100, 110);
    expect([p.at(110), p.at(123), p.at(123.9)]).toEqual([false, false, false]);
    expect(p.at(124)).toBe(true); // 100 + 24
    expect(p.collections()).toBe(1);
    // the new floor is the size right after the collection (110), not the start (100)
    expect([p.at(120), p.at(133.9)]).toEqual([false, false]);
    expect(p.at(134)).toBe(true);
    expect(p.collections()).toBe(2);
  });

  test("a drop the runtime made by itself lowers the floor", () => {
    const p = scripted(100, 90);
    expect(p.at(80)).toBe(false); // the runtime collected: the floor is now 80
    expect(p.at(104)).toBe(true); // 80 + 24, though only 4 above the start
    expect(p.collections()).toBe(1);
  });

  test("a steady size never collects", () => {
    const p = scripted(300, 300);
    for (let i = 0; i < 100; i++) expect(p.at(300 + (i % 2) * 23)).toBe(false);
    expect(p.collections()).toBe(0);
  });
});
