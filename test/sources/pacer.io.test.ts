/** @module The drift-free pacer; under Bun, Deno and Node, since it rides each runtime's own timers. */
import { describe, expect, test } from "bun:test";
import { startPacer } from "../../src/sources/pacer.ts";

describe("drift-free pacer", () => {
  test("a stalled tick is caught up: units due follow elapsed time, not the number of timer firings", async () => {
    let units = 0;
    let ticks = 0;
    let lastEmit = 0;
    const started = performance.now();
    const pacer = startPacer({
      rate: 500,
      emit(count) {
        lastEmit = performance.now();
        units += count;
        ticks++;
        if (ticks === 5) {
          // block the event loop for 150 ms once, as a GC pause or a slow consumer would
          const until = performance.now() + 150;
          while (performance.now() < until) { /* busy */ }
        }
      },
    });
    try {
      // 800 ms of pacing is the scenario: long enough for many ticks after the stall
      await new Promise((r) => setTimeout(r, 800));
    } finally {
      pacer.stop();
    }
    // units due are judged at the last emit, not at stop(): on a loaded machine the sleep above can
    // end late, after time the pacer was never given a tick for
    const expected = 500 * (lastEmit - started) / 1000;
    expect(units).toBe(pacer.emitted);
    // the last emit paid everything due (≥ 400 units): 0.8 leaves ~80 units for the time between
    // the pacer's own clock reading and ours, which is synchronous code
    expect(units).toBeGreaterThan(expected * 0.8);
    expect(units).toBeLessThanOrEqual(expected + 1);
    expect(ticks).toBeLessThan(units); // the stall was repaid with a multi-unit tick
  });

  test("minIntervalMs batches units into fewer wake-ups without losing any", async () => {
    let units = 0;
    let ticks = 0;
    let lastEmit = 0;
    const started = performance.now();
    const pacer = startPacer({
      rate: 500,
      minIntervalMs: 20,
      emit: (n) => ((lastEmit = performance.now()), (units += n), ticks++),
    });
    await new Promise((r) => setTimeout(r, 400)); // the pacing under test runs for 400 ms
    pacer.stop();
    const elapsed = performance.now() - started;
    // a late timer only means fewer wake-ups, so this holds on any load
    expect(ticks).toBeLessThanOrEqual(Math.ceil(elapsed / 20) + 1);
    // due units are judged at the last wake-up (a late stop() adds time no tick saw); ≥ half of
    // the 0.5 units/ms due leaves room for the ≤ 20 ms a wake-up may lag its due time
    expect(units).toBeGreaterThan(0.5 * (lastEmit - started) * 0.5);
    expect(units).toBeLessThanOrEqual(0.5 * elapsed + 1);
    expect(units / ticks).toBeGreaterThan(4); // ~10 units per 20 ms wake-up
  });

  test("stop() halts emission", async () => {
    let units = 0;
    const pacer = startPacer({ rate: 1000, emit: (n) => (units += n) });
    await new Promise((r) => setTimeout(r, 50));
    pacer.stop();
    const atStop = units;
    await new Promise((r) => setTimeout(r, 100));
    expect(units).toBe(atStop);
    expect(atStop).toBeGreaterThan(0);
  });

  test("a backlog beyond maxBacklog is skipped instead of flooding the consumer", async () => {
    const bursts: number[] = [];
    let first = true;
    let lastEmit = 0;
    const started = performance.now();
    const pacer = startPacer({
      rate: 1000,
      maxBacklog: 50,
      emit(count) {
        lastEmit = performance.now();
        bursts.push(count);
        if (first) {
          first = false;
          const until = performance.now() + 300; // ~300 units due afterwards
          while (performance.now() < until) { /* busy */ }
        }
      },
    });
    await new Promise((r) => setTimeout(r, 450)); // the scenario: ~150 ms of pacing after the stall
    pacer.stop();
    // Replaying the stall would emit about all units due by the last emit, one per ms; skipping
    // drops the ≥ 300 due during the stall but one. Judged at the last emit (a late stop() adds
    // time no tick saw), the total stays ≥ 200 below the due count: ~100 units of margin.
    expect(bursts.reduce((a, b) => a + b, 0)).toBeLessThan(lastEmit - started - 200);
    expect(Math.max(...bursts)).toBeLessThanOrEqual(50);
    expect(bursts.length).toBeGreaterThan(1);
  });

  test("a non-positive rate is refused", () => {
    expect(() => startPacer({ rate: 0, emit: () => {} })).toThrow(RangeError);
  });
});
