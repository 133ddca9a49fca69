/**
 * @module The runtime adapter's monotonicSeconds() is CLOCK_MONOTONIC (LSL time) on the runtime running
 * the test, lslTime() maps the bridge's Unix clock onto it, and the fallback without libc agrees.
 */
import { describe, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { lslTime } from "../../src/lsl/clock.ts";
import type { RuntimeAdapter } from "../../src/ports/runtime.ts";
import { uptimeClock } from "../../src/adapters/runtime/monotonic.ts";

const runtime = "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node";
// a computed specifier: tsc stays out of the Deno file, and each runtime loads only its own adapter
const spec = `../../src/adapters/runtime/${runtime}.ts`;
const adapter = ((await import(spec)) as Record<string, RuntimeAdapter>)[`${runtime}Runtime`]!;
const mono = (): number => adapter.monotonicSeconds();

/** Seconds of a clock python reads (its time.monotonic is CLOCK_MONOTONIC), in a child process. */
function python(expr: string): number {
  const out = execFileSync("/usr/bin/python3", ["-c", `import time; print(${expr})`]);
  return Number(out.toString().trim());
}

/** A monotonic reading and the middle and width of the tightest performance.now() bracket of 20 tries. */
function bracketed(): { mono: number; perfMs: number; widthMs: number } {
  let best = { mono: 0, perfMs: 0, widthMs: Infinity };
  for (let i = 0; i < 20; i++) {
    const before = performance.now();
    const m = mono();
    const after = performance.now();
    if (after - before < best.widthMs) {
      best = { mono: m, perfMs: (before + after) / 2, widthMs: after - before };
    }
  }
  return best;
}

/** Resolves after `ms`: a measured span, not a readiness wait. */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`monotonicSeconds on ${runtime}`, () => {
  test("lies between two readings of CLOCK_MONOTONIC by python, taken just before and after", () => {
    mono(); // the first call sets the clock up (dlopen): not part of the bracket
    const before = python("time.monotonic()");
    const ours = mono();
    const after = python("time.monotonic()");
    // no margin: the three readings happen in this order on one clock
    expect(ours).toBeGreaterThan(before);
    expect(ours).toBeLessThan(after);
    // and not a process-relative count (Bun's and Deno's process.hrtime) that happens to fit
    expect(after - before).toBeLessThan(5);
  });

  test("advances with performance.now() over 50 ms, equal within 1 ms", async () => {
    const m0 = bracketed();
    await sleep(50); // the span the two clocks are compared over, not a readiness wait
    const m1 = bracketed();
    // 1 ms: both are the same kernel clock. Each monotonic read is placed at the middle of the
    // tightest of 20 performance.now() brackets, so a preemption between reads (6.7 ms on a loaded
    // CI) costs a wider bracket, which is added to the margin, instead of a failure
    const error = Math.abs((m1.mono - m0.mono) * 1000 - (m1.perfMs - m0.perfMs));
    expect(error).toBeLessThan(1 + (m0.widthMs + m1.widthMs) / 2);
    expect(m0.widthMs + m1.widthMs).toBeLessThan(1); // 20 tries give a tight bracket
    // the span really passed (a timer may fire up to a millisecond early on some runtimes)
    expect(m1.mono - m0.mono).toBeGreaterThan(0.045);
  });
});

describe(`lslTime on ${runtime}`, () => {
  test("maps a performance.timeOrigin + performance.now() Unix time to the monotonic clock, < 0.1 ms off", () => {
    const unixMs = () => performance.timeOrigin + performance.now();
    const time = lslTime(mono, unixMs);
    for (let i = 0; i < 20; i++) {
      const a = mono();
      const mapped = time.fromUnix(unixMs() / 1000);
      const b = mono();
      // 0.1 ms beyond the bracket; the bracket itself is ~0.2 µs unless the process was preempted
      expect(mapped).toBeGreaterThan(a - 1e-4);
      expect(mapped).toBeLessThan(b + 1e-4);
      const u = unixMs() / 1000;
      expect(time.toUnix(time.fromUnix(u))).toBeCloseTo(u, 6);
    }
  });
});

/** The fallback of this runtime when libc cannot be called, and what it calibrates against. */
async function fallbackClock(warn: (text: string) => void): Promise<() => number> {
  if (runtime !== "deno") return uptimeClock(() => readFileSync("/proc/uptime", "utf8"), warn);
  // Deno reads /proc only with --allow-all: its fallback is Deno.osUptime (up to 1 s of polling)
  const mod = (await import(spec)) as {
    denoMonotonic(warn: (text: string) => void, ffi: boolean): () => number;
  };
  return mod.denoMonotonic(warn, false);
}

describe(`the fallback without libc on ${runtime} (CLOCK_BOOTTIME edges)`, () => {
  test("agrees with CLOCK_MONOTONIC within the ± its warning states (+ 0.1 ms), suspended time added", async () => {
    const warnings: string[] = [];
    const fallback = await fallbackClock((text) => void warnings.push(text));
    const stated = warnings.join("").match(/CLOCK_BOOTTIME\) to ±([0-9.]+) ms/);
    expect(stated).not.toBeNull();
    // the calibration's own bound: half the narrowest span it caught a tick edge in (≤ 50 µs on an
    // idle machine; a loaded one can stretch it); 0.1 ms more for reading the clocks here
    const tolerance = Number(stated![1]) / 1000 + 1e-4;
    // CLOCK_BOOTTIME runs ahead of MONOTONIC by the time the machine was suspended
    const suspended = python(
      "time.clock_gettime(time.CLOCK_BOOTTIME) - time.clock_gettime(time.CLOCK_MONOTONIC)",
    );
    for (let i = 0; i < 20; i++) {
      const a = mono();
      const f = fallback() - suspended;
      const b = mono();
      expect(f).toBeGreaterThan(a - tolerance);
      expect(f).toBeLessThan(b + tolerance);
    }
    // so that a wrong edge (a whole tick off: 10 ms, or 1 s with Deno.osUptime) fails: the bound is
    // below half a tick (measured: ±3 µs on Bun with 3 busy loops beside it, ±2 ms on Deno)
    expect(tolerance).toBeLessThan(runtime === "deno" ? 0.5 : 0.005);
  });

  test("throws instead of spinning when the coarse clock does not advance", () => {
    expect(() => uptimeClock(() => "100.00 50.00\n", () => {})).toThrow(/did not advance/);
  });
});
