/** @module Paced ring replay: one page per macrotask, socket room, a per-client byte allowance, cancel at once, exact catch-up. */
import { describe, expect, test } from "bun:test";
import type { Clock, TimerHandle } from "../../src/core/clock.ts";
import { ReplayAllowance, startReplay } from "../../src/core/paced-replay.ts";
import type { ReplayOptions } from "../../src/core/paced-replay.ts";
import { SampleRing } from "../../src/core/sample-ring.ts";
import { CHANNELS } from "../../src/core/samples.ts";
import type { SampleBlock } from "../../src/core/samples.ts";

/** A clock whose timers run one at a time, each call of `step` being one macrotask. */
class StepClock implements Clock {
  t = 0;
  #timers = new Map<number, { at: number; fn: () => void }>();
  #id = 0;
  now = (): number => this.t;
  setTimeout = (fn: () => void, ms: number): TimerHandle => {
    this.#timers.set(++this.#id, { at: this.t + ms, fn });
    return this.#id;
  };
  clearTimeout = (h: TimerHandle): void => void this.#timers.delete(h as number);
  setInterval = (): TimerHandle => {
    throw new Error("a replay uses no interval");
  };
  clearInterval = (): void => {};

  get pending(): number {
    return this.#timers.size;
  }

  /** Runs the earliest timer, moving time to it; false when none is set. */
  step(): boolean {
    let first: [number, { at: number; fn: () => void }] | undefined;
    for (const e of this.#timers) if (first === undefined || e[1].at < first[1].at) first = e;
    if (first === undefined) return false;
    this.#timers.delete(first[0]);
    this.t = Math.max(this.t, first[1].at);
    first[1].fn();
    return true;
  }
}

function block(from: number, n: number): SampleBlock {
  const seqs = Array.from({ length: n }, (_, i) => from + i);
  return {
    count: n,
    seq: Float64Array.from(seqs),
    counter: Uint8Array.from(seqs.map((s) => s & 255)),
    time: Float64Array.from(seqs.map((s) => s / 500)),
    ref: new Float64Array(n),
    drl: new Float64Array(n),
    channels: new Float64Array(n * CHANNELS),
    leadOff: new Uint16Array(n),
    nonFinite: new Uint16Array(n),
    featureStatus: new Uint8Array(n),
    arrivalMs: 0,
    gaps: [],
    duplicates: 0,
  };
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

/** A replay of `ring` from `from` whose pages are recorded; room and allowance as given. */
function replay(
  clock: StepClock,
  ring: SampleRing,
  from: number,
  extra: Partial<ReplayOptions> = {},
) {
  const pages: number[][] = [];
  const seen = { caughtUp: null as number | null, room: true };
  const r = startReplay({
    source: ring,
    from,
    clock,
    pageSamples: 100,
    maxStepBytes: 1000,
    maxStepSamples: 100,
    allowances: [new ReplayAllowance(1e9, 1e9, clock.now)],
    canSend: () => seen.room,
    retryMs: 10,
    onPage: (p) => (pages.push([...p.seq]), 0),
    onCaughtUp: (next) => (seen.caughtUp = next),
    ...extra,
  });
  return { r, pages, seen };
}

describe("paced replay", () => {
  test("reads one page per macrotask, none before the caller's turn ends, and catches up in the step of its short page", () => {
    const clock = new StepClock();
    const ring = new SampleRing(2000);
    ring.push(block(0, 950));
    const { r, pages, seen } = replay(clock, ring, 0);
    expect(pages).toEqual([]); // the ack the caller sends now goes first
    for (let k = 1; k <= 9; k++) {
      expect(clock.step()).toBe(true);
      expect(pages).toHaveLength(k);
      expect(pages.at(-1)).toEqual(range((k - 1) * 100, 100));
    }
    expect(seen.caughtUp).toBeNull();
    expect(clock.step()).toBe(true);
    expect(pages.at(-1)).toEqual(range(900, 50));
    expect(seen.caughtUp).toBe(950);
    expect(r.caughtUp).toBe(true);
    expect(clock.pending).toBe(0);
  });

  test("samples that reach the ring during the replay are replayed once, and catch-up names the first live seq", () => {
    const clock = new StepClock();
    const ring = new SampleRing(5000);
    ring.push(block(0, 400));
    const { pages, seen } = replay(clock, ring, 150);
    clock.step();
    ring.push(block(400, 130)); // arrives between two pages
    for (let k = 0; k < 10 && seen.caughtUp === null; k++) clock.step();
    expect(pages.flat()).toEqual(range(150, 380));
    expect(seen.caughtUp).toBe(530);
  });

  test("cancel stops it at once: no page after, no timer left", () => {
    const clock = new StepClock();
    const ring = new SampleRing(2000);
    ring.push(block(0, 1000));
    const { r, pages, seen } = replay(clock, ring, 0);
    clock.step();
    clock.step();
    r.cancel();
    expect(clock.pending).toBe(0);
    expect(clock.step()).toBe(false);
    expect(pages).toHaveLength(2);
    expect(seen.caughtUp).toBeNull();
  });

  test("waits while the socket has no room, reading nothing, then goes on from where it was", () => {
    const clock = new StepClock();
    const ring = new SampleRing(2000);
    ring.push(block(0, 300));
    const { pages, seen } = replay(clock, ring, 0);
    clock.step();
    seen.room = false;
    for (let k = 0; k < 5; k++) clock.step();
    expect(pages).toHaveLength(1);
    expect(clock.t).toBe(40); // five looks: the first at once, then every 10 ms
    seen.room = true;
    for (let k = 0; k < 5 && seen.caughtUp === null; k++) clock.step();
    expect(pages.flat()).toEqual(range(0, 300));
  });

  test("the byte allowance paces pages and is shared: a re-subscribe does not start it afresh", () => {
    const clock = new StepClock();
    const ring = new SampleRing(5000);
    ring.push(block(0, 3000));
    // 100 kB/s with a 50 kB burst; every page sends 50 kB (the step ends after each)
    const allowance = new ReplayAllowance(100_000, 50_000, clock.now);
    const charged = (pages: number[][]) => (p: SampleBlock) => (pages.push([...p.seq]), 50_000);
    const a: number[][] = [];
    const first = replay(clock, ring, 0, { allowances: [allowance], onPage: charged(a) });
    clock.step(); // the burst: at once
    expect(clock.t).toBe(0);
    clock.step(); // in debt by nothing yet: the second page goes in the next macrotask
    expect(a).toHaveLength(2);
    clock.step(); // 50 kB in debt: waits 0.5 s for it
    expect(a).toHaveLength(2);
    expect(clock.t).toBe(0);
    clock.step();
    expect(a).toHaveLength(3);
    expect(clock.t).toBe(500);
    first.r.cancel();
    const b: number[][] = [];
    replay(clock, ring, 0, { allowances: [allowance], onPage: charged(b) }); // the same client subscribes again
    clock.step();
    expect(b).toHaveLength(0); // still 50 kB in debt from the first replay
    clock.step();
    expect(b).toHaveLength(1);
    expect(clock.t).toBe(1000);
  });

  test("a macrotask reads pages until it sent its step's bytes or read its step's samples", () => {
    const clock = new StepClock();
    const ring = new SampleRing(5000);
    ring.push(block(0, 3000));
    const dear: number[][] = [];
    replay(clock, ring, 0, {
      maxStepBytes: 1000,
      maxStepSamples: 1000,
      onPage: (p) => (dear.push([...p.seq]), 600),
    });
    clock.step();
    expect(dear).toHaveLength(2); // 1200 bytes ≥ 1000 after the second page
    const cheap: number[][] = [];
    const clock2 = new StepClock();
    replay(clock2, ring, 0, {
      maxStepBytes: 1000,
      maxStepSamples: 1000,
      onPage: (p) => (cheap.push([...p.seq]), 10),
    });
    clock2.step();
    expect(cheap.flat()).toEqual(range(0, 1000)); // ten pages of 100: the sample bound
    clock2.step();
    expect(cheap.flat()).toEqual(range(0, 2000));
  });

  test("a page waits for the emptiest of its allowances (the client's and the process's)", () => {
    const clock = new StepClock();
    const ring = new SampleRing(5000);
    ring.push(block(0, 3000));
    const mine = new ReplayAllowance(1e9, 1e9, clock.now);
    const everyone = new ReplayAllowance(100_000, 10_000, clock.now);
    everyone.charge(60_000); // other clients' replays took it: 50 kB in debt, 0.5 s
    const pages: number[][] = [];
    replay(clock, ring, 0, {
      allowances: [mine, everyone],
      onPage: (p) => (pages.push([...p.seq]), 0),
    });
    clock.step();
    expect(pages).toHaveLength(0);
    clock.step();
    expect(pages).toHaveLength(1);
    expect(clock.t).toBe(500);
  });

  test("an allowance refills at its rate up to its burst, and refuses nonsense", () => {
    let now = 0;
    const allowance = new ReplayAllowance(1000, 500, () => now);
    expect(allowance.waitMs()).toBe(0);
    allowance.charge(1500); // 1000 B in debt
    expect(allowance.waitMs()).toBe(1000);
    now = 400;
    expect(allowance.waitMs()).toBe(600);
    now = 100_000; // a long quiet time fills it to the burst only
    allowance.charge(1000);
    expect(allowance.waitMs()).toBe(500);
    expect(() => new ReplayAllowance(0, 10, () => 0)).toThrow(RangeError);
    expect(() => new ReplayAllowance(10, Number.NaN, () => 0)).toThrow(RangeError);
    const clock = new StepClock();
    expect(() => replay(clock, new SampleRing(10), 0, { pageSamples: 0 })).toThrow(
      /page of 0 samples/,
    );
  });
});
