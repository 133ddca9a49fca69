import { describe, expect, test } from "bun:test";
import { startPacer } from "../../src/sources/pacer.ts";

describe("drift-free pacer", () => {
  test("a stalled tick is caught up: units due follow elapsed time, not the number of timer firings", async () => {
    let units = 0;
    let ticks = 0;
    const started = performance.now();
    const pacer = startPacer({
      rate: 500,
      emit(count) {
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
      await new Promise((r) => setTimeout(r, 800));
    } finally {
      pacer.stop();
    }
    const elapsed = (performance.now() - started) / 1000;
    const expected = 500 * elapsed;
    expect(units).toBe(pacer.emitted);
    expect(units).toBeGreaterThan(expected * 0.8);
    expect(units).toBeLessThanOrEqual(expected + 1);
    expect(ticks).toBeLessThan(units); // the stall was repaid with a multi-unit tick
  });

  test("minIntervalMs batches units into fewer wake-ups without losing any", async () => {
    let units = 0;
    let ticks = 0;
    const started = performance.now();
    const pacer = startPacer({
      rate: 500,
      minIntervalMs: 20,
      emit: (n) => ((units += n), ticks++),
    });
    await new Promise((r) => setTimeout(r, 400));
    pacer.stop();
    const elapsed = performance.now() - started;
    expect(ticks).toBeLessThanOrEqual(Math.ceil(elapsed / 20) + 1);
    expect(units).toBeGreaterThan(0.5 * elapsed * 0.5); // ≥ half of the 0.5 units/ms due
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
    const pacer = startPacer({
      rate: 1000,
      maxBacklog: 50,
      emit(count) {
        bursts.push(count);
        if (first) {
          first = false;
          const until = performance.now() + 300; // ~300 units due afterwards
          while (performance.now() < until) { /* busy */ }
        }
      },
    });
    await new Promise((r) => setTimeout(r, 450));
    pacer.stop();
    expect(bursts.reduce((a, b) => a + b, 0)).toBeLessThan(300);
    expect(Math.max(...bursts)).toBeLessThanOrEqual(50);
    expect(bursts.length).toBeGreaterThan(1);
  });

  test("a non-positive rate is refused", () => {
    expect(() => startPacer({ rate: 0, emit: () => {} })).toThrow(RangeError);
  });
});
