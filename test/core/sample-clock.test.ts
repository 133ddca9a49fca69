/** @module SampleClock against a simulated device: jitter, drift, gaps, reconnects, host clock steps, order. */
import { describe, expect, test } from "bun:test";
import { SampleClock } from "../../src/core/sample-clock.ts";
import { SeqTracker } from "../../src/core/seq-tracker.ts";

const T0 = 1_700_000_000;

/** A small seeded PRNG (mulberry32), so a failing run can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let z = Math.imul(s ^ (s >>> 15), s | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

interface Plan {
  rate: number;
  seconds: number;
  seed?: number;
  /** Every chunk's delay: base + uniform(0, jitter) ms, delivered in order. */
  baseMs?: number;
  jitterMs?: number;
  /** Device-time spans [from, to) in s whose samples never arrive; `reconnect` makes them link losses. */
  lost?: { fromS: number; toS: number; reconnect: boolean }[];
  /** Extra delay of the first chunk of each connection (ms). */
  firstChunkMs?: number;
  /** The host clock jumps by `stepS` for chunks sent from `atS` on. */
  hostStep?: { atS: number; stepS: number };
}

interface Stamp {
  /** Device time of the sample (s since start). */
  at: number;
  seq: number;
  time: number;
  /** Stamp minus the sample's real host time (send time + the base latency), ms. */
  errMs: number;
}

/** Runs a device through SeqTracker + SampleClock the way toSampleBlock does and records every stamp. */
function simulate(plan: Plan, clock = new SampleClock()): { stamps: Stamp[]; clock: SampleClock } {
  const rnd = random(plan.seed ?? 1);
  const tracker = new SeqTracker();
  const base = plan.baseMs ?? 10;
  const jitter = plan.jitterMs ?? 30;
  const stamps: Stamp[] = [];
  let lastArrival = -Infinity;
  let firstOfConnection = true;
  let down = false;
  const total = Math.round(plan.seconds * plan.rate);
  for (let q = 0; q < total;) {
    const n = 3 + Math.floor(rnd() * 6);
    const samples: number[] = [];
    for (; samples.length < n && q < total; q++) {
      const span = plan.lost?.find((l) => q / plan.rate >= l.fromS && q / plan.rate < l.toS);
      if (span !== undefined) {
        if (span.reconnect) down = true;
        continue;
      }
      if (down) {
        if (samples.length > 0) break; // the old connection's chunk ends at the outage
        down = false;
        tracker.startConnection();
        firstOfConnection = true;
      }
      samples.push(q);
    }
    if (samples.length === 0) continue;
    const lastQ = samples[samples.length - 1]!;
    const step = plan.hostStep !== undefined && lastQ / plan.rate >= plan.hostStep.atS
      ? plan.hostStep.stepS
      : 0;
    let sent = (T0 + lastQ / plan.rate) * 1000 + base + rnd() * jitter;
    if (firstOfConnection) sent += plan.firstChunkMs ?? 0;
    firstOfConnection = false;
    if (sent < lastArrival) sent = lastArrival; // delivered in order
    lastArrival = sent;
    const arrival = sent + step * 1000; // as the host clock reads it
    const a = tracker.assign({
      count: samples.length,
      eventId: samples.map(() => 239),
      counter: samples.map((s) => s & 255),
    }, arrival);
    if (a.connectionStart) clock.startConnection();
    clock.observe(a.seq[a.count - 1]!, arrival, a.seq[0]!);
    for (let j = 0; j < a.count; j++) {
      const at = samples[j]! / plan.rate;
      const time = clock.timeOf(a.seq[j]!);
      const stepAt = plan.hostStep !== undefined && at >= plan.hostStep.atS
        ? plan.hostStep.stepS
        : 0;
      stamps.push({
        at,
        seq: a.seq[j]!,
        time,
        errMs: (time - (T0 + stepAt + at + base / 1000)) * 1000,
      });
    }
  }
  return { stamps, clock };
}

/** Largest |error| (ms) of the stamps of samples sent in [fromS, toS). */
function worstAfter(stamps: Stamp[], fromS: number, toS = Infinity): number {
  let worst = 0;
  for (const s of stamps) {
    if (s.at >= fromS && s.at < toS && Math.abs(s.errMs) > worst) worst = Math.abs(s.errMs);
  }
  return worst;
}

function strictlyIncreasing(stamps: Stamp[]): boolean {
  for (let i = 1; i < stamps.length; i++) {
    if (!(stamps[i]!.time > stamps[i - 1]!.time)) return false;
  }
  return true;
}

describe("SampleClock", () => {
  // bounds: the worst over 40 seeds was 2.5 ms from 10 s on and 0.7 ms from 30 s on
  test("stamps a 500 Hz device with 0–30 ms chunk jitter within 3 ms after warm-up, strictly increasing", () => {
    for (const seed of [1, 2, 3]) {
      const { stamps } = simulate({ rate: 500, seconds: 60, seed });
      expect({ seed, worst: worstAfter(stamps, 10) < 3, settled: worstAfter(stamps, 30) < 1 })
        .toEqual({ seed, worst: true, settled: true });
      expect(worstAfter(stamps, 0)).toBeLessThan(45); // the first chunk's own delay at most
      expect(strictlyIncreasing(stamps)).toBe(true);
      const late = stamps.filter((s) => s.at >= 10);
      expect(Math.abs(late.reduce((sum, s) => sum + s.errMs, 0) / late.length)).toBeLessThan(0.5);
    }
  });

  test("keeps samples of a chunk exactly 2 ms apart", () => {
    const clock = new SampleClock();
    clock.observe(7, T0 * 1000);
    expect(clock.timeOf(7) - clock.timeOf(3)).toBeCloseTo(0.008, 6);
    expect(clock.anchorSeq).toBe(7);
    expect(clock.timeOf(7)).toBe(T0);
  });

  // worst over 40 seeds: 2.6 ms from 10 s on, 0.5 ms in the fifth minute, rate off by 0.004 Hz
  test("follows a 500.5 Hz and a 499.5 Hz device (±1000 ppm) within 3 ms over 5 minutes", () => {
    for (const rate of [500.5, 499.5]) {
      const { stamps, clock } = simulate({ rate, seconds: 300, seed: 4 });
      expect({ rate, ok: worstAfter(stamps, 10) < 3 }).toEqual({ rate, ok: true });
      expect(worstAfter(stamps, 240)).toBeLessThan(1);
      expect(Math.abs(clock.rateHz - rate)).toBeLessThan(0.01);
      expect(strictlyIncreasing(stamps)).toBe(true);
    }
  });

  test("starts at 500 Hz and without drift would be biased by the fixed latency only", () => {
    const clock = new SampleClock();
    expect(clock.rateHz).toBe(500);
    expect(clock.ready).toBe(false);
    const { stamps } = simulate({ rate: 500, seconds: 20, jitterMs: 0, baseMs: 25 }, clock);
    expect(worstAfter(stamps, 0)).toBeLessThan(0.01);
  });

  test("jumps by missing / 500 over a counter gap", () => {
    const { stamps } = simulate({
      rate: 500,
      seconds: 30,
      seed: 5,
      lost: [{ fromS: 20, toS: 20.04, reconnect: false }],
    });
    const i = stamps.findIndex((s) => s.at >= 20.04);
    const before = stamps[i - 1]!;
    const after = stamps[i]!;
    expect(after.seq - before.seq).toBe(21); // 20 missing samples
    expect((after.time - before.time) * 1000).toBeGreaterThan(42 - 1);
    expect((after.time - before.time) * 1000).toBeLessThan(42 + 1);
    expect(worstAfter(stamps, 20, 30)).toBeLessThan(3);
  });

  test("re-anchors after a reconnect 2 s later: time jumps by about 2 s and is right again within 1 s", () => {
    const { stamps } = simulate({
      rate: 500,
      seconds: 40,
      seed: 6,
      lost: [{ fromS: 20, toS: 22, reconnect: true }],
    });
    const i = stamps.findIndex((s) => s.at >= 22);
    expect(stamps[i]!.time - stamps[i - 1]!.time).toBeCloseTo(2.002, 1);
    expect(Math.abs(stamps[i]!.errMs)).toBeLessThan(45);
    expect(worstAfter(stamps, 23)).toBeLessThan(4); // 40 seeds: 2.9 ms
    expect(worstAfter(stamps, 30)).toBeLessThan(1.5);
    expect(strictlyIncreasing(stamps)).toBe(true);
  });

  test("corrects a reconnect whose seq estimate was off (first chunk held up 60 ms) within 1 s", () => {
    const { stamps } = simulate({
      rate: 500,
      seconds: 40,
      seed: 7,
      firstChunkMs: 60,
      lost: [{ fromS: 20, toS: 22, reconnect: true }],
    });
    const i = stamps.findIndex((s) => s.at >= 22);
    // the held-up chunk made the tracker count ~30 samples too many: seq and real time disagree
    expect(stamps[i]!.seq - stamps[i - 1]!.seq).toBeGreaterThan(1000 + 20);
    expect(worstAfter(stamps, 23)).toBeLessThan(5); // 40 seeds: 3.7 ms
    expect(strictlyIncreasing(stamps)).toBe(true);
  });

  test("slews down, never back, after held-up first chunks (a 200 ms burst at start)", () => {
    const { stamps } = simulate({ rate: 500, seconds: 20, seed: 8, firstChunkMs: 200 });
    expect(stamps[0]!.errMs).toBeGreaterThan(150);
    expect(strictlyIncreasing(stamps)).toBe(true);
    expect(worstAfter(stamps, 5)).toBeLessThan(2.5); // 40 seeds: 1.6 ms
  });

  test("re-anchors within about a second when the host clock steps forward 5 s", () => {
    const { stamps } = simulate({
      rate: 500,
      seconds: 60,
      seed: 9,
      hostStep: { atS: 30, stepS: 5 },
    });
    expect(worstAfter(stamps, 10, 30)).toBeLessThan(3);
    expect(worstAfter(stamps, 32)).toBeLessThan(2.5); // 40 seeds: 1.8 ms
    expect(strictlyIncreasing(stamps)).toBe(true);
  });

  test("follows the host clock when it steps back 5 s (the one case where time goes back)", () => {
    const { stamps } = simulate({
      rate: 500,
      seconds: 60,
      seed: 10,
      hostStep: { atS: 30, stepS: -5 },
    });
    // a fresh lower envelope needs a few hundred chunks to find a fast one again
    expect(worstAfter(stamps, 30.1)).toBeLessThan(20);
    expect(worstAfter(stamps, 31.5)).toBeLessThan(2.5); // 40 seeds: 1.9 ms
    expect(strictlyIncreasing(stamps.filter((s) => s.at >= 30))).toBe(true);
    expect(strictlyIncreasing(stamps)).toBe(false);
  });

  test("rejects timing before the first chunk and observing an older seq", () => {
    const clock = new SampleClock();
    expect(() => clock.timeOf(0)).toThrow(RangeError);
    clock.observe(100, T0 * 1000);
    expect(() => clock.observe(99, T0 * 1000 + 10)).toThrow(RangeError);
  });
});
