/** @module The simulator's whole ADC counts and its tabulated terms: equal to the plain formulas, and its packets byte-equal to packet-builder's. */
import { describe, expect, test } from "bun:test";
import { CHANNEL_COUNT, LEAD_OFF_RAW, PACKET_LEN, UV_PER_COUNT } from "../../src/decoder/types.ts";
import { buildPacket } from "../../src/sources/packet-builder.ts";
import {
  createEegSignal,
  createPacketGenerator,
  createPrng,
  simPackets,
  simRawChannels,
} from "../../src/sources/signal.ts";
import { wholePeriod } from "../../src/sources/signal-tables.ts";

const TWO_PI = 2 * Math.PI;

/**
 * The simulator's signal written as plain formulas in t = i / rate (no tables), rounded to whole
 * counts: what the tabulated generator must reproduce.
 */
function directCounts(seed: number, count: number, rate: number): number[][] {
  const rand = createPrng(seed);
  const ch = Array.from({ length: CHANNEL_COUNT }, () => ({
    alphaUv: 12 + 14 * rand(),
    alphaPhase: TWO_PI * rand(),
    mainsUv: 2 + 4 * rand(),
    mainsPhase: TWO_PI * rand(),
    noiseUv: 6 + 6 * rand(),
    pink: [0, 0, 0],
  }));
  const poles = [0.995, 0.96, 0.7];
  const gains = [0.5, 0.3, 0.2];
  const out: number[][] = [];
  for (let i = 0; i < count; i++) {
    const t = i / rate;
    const envelope = 0.75 + 0.25 * Math.sin(TWO_PI * 0.2 * t);
    out.push(ch.map((p) => {
      const white = (rand() + rand() + rand() + rand() - 2) * 1.7320508;
      let noise = 0;
      poles.forEach((pole, k) => {
        p.pink[k] = pole * p.pink[k]! + Math.sqrt(1 - pole * pole) * white;
        noise += gains[k]! * p.pink[k]!;
      });
      const uv = p.alphaUv * envelope * Math.sin(TWO_PI * 10 * t + p.alphaPhase) +
        p.mainsUv * Math.sin(TWO_PI * 50 * t + p.mainsPhase) + p.noiseUv * noise;
      return Math.round(uv / UV_PER_COUNT);
    }));
  }
  return out;
}

describe("simulator counts", () => {
  test("every channel value is a whole count inside the 24-bit range, never the sentinel", () => {
    const raw = simRawChannels(3, 5000);
    let nonZero = 0;
    let zeros = 0;
    for (const v of raw) {
      expect(Number.isInteger(v)).toBe(true);
      // an ADC's integer 0 has no sign: −0 would reach binary clients as −0 and JSON ones as 0
      if (v === 0) zeros++;
      expect(Object.is(v, -0)).toBe(false);
      expect(v >= -8388608 && v < LEAD_OFF_RAW).toBe(true);
      if (v !== 0) nonZero++;
    }
    expect(nonZero).toBeGreaterThan(raw.length * 0.9);
    // the check above met some zeros (rounded from both sides of 0)
    expect(zeros).toBeGreaterThan(0);
  });

  for (const rate of [500, 1000, 333]) {
    test(`the tables reproduce the plain formulas past every period (${rate} Hz)`, () => {
      // 20 000 samples pass the longest table (DRL: 10 000 at 500 Hz) twice at 500 Hz
      const n = 20_000;
      const raw = simRawChannels(17, n, rate);
      const direct = directCounts(17, n, rate);
      let off = 0;
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < CHANNEL_COUNT; c++) {
          const d = Math.abs(raw[i * CHANNEL_COUNT + c]! - direct[i]![c]!);
          // the two evaluate sin at arguments a few ulps apart: a value next to a half count
          // may round the other way, never further
          expect(d).toBeLessThanOrEqual(1);
          if (d !== 0) off++;
        }
      }
      expect(off).toBeLessThan(10);
    });
  }

  test("REF and DRL follow 5·sin(2π·0.1·t) and 3·cos(2π·0.15·t) as f32", () => {
    const bytes = simPackets(1, 0, 12_000);
    const view = new DataView(bytes.buffer);
    for (const i of [0, 1, 777, 4999, 5000, 9999, 10_000, 11_999]) {
      const t = i / 500;
      expect(view.getFloat32(i * PACKET_LEN + 4, true)).toBeCloseTo(
        5 * Math.sin(TWO_PI * 0.1 * t),
        6,
      );
      expect(view.getFloat32(i * PACKET_LEN + 8, true)).toBeCloseTo(
        3 * Math.cos(TWO_PI * 0.15 * t),
        6,
      );
    }
  });

  test("generated packets are byte-equal to packet-builder's for the same fields", () => {
    const leadOff = [2, 12];
    const gen = createPacketGenerator(8, 250, 500, leadOff);
    const out = new Uint8Array(300 * PACKET_LEN + 5);
    gen.fill(out, 5, 300);
    expect(gen.nextCounter).toBe((250 + 300) & 0xff);
    const raw = simRawChannels(8, 300);
    const view = new DataView(out.buffer);
    for (let i = 0; i < 300; i++) {
      const at = 5 + i * PACKET_LEN;
      const channels = Array.from(raw.subarray(i * CHANNEL_COUNT, (i + 1) * CHANNEL_COUNT));
      for (const ch of leadOff) channels[ch - 1] = LEAD_OFF_RAW;
      const expected = buildPacket({
        counter: (250 + i) & 0xff,
        ref: view.getFloat32(at + 4, true),
        drl: view.getFloat32(at + 8, true),
        rawChannels: channels,
      });
      expect(Array.from(out.subarray(at, at + PACKET_LEN))).toEqual(Array.from(expected));
    }
  });

  test("table lengths hold whole cycles", () => {
    expect(wholePeriod(500, 10)).toBe(50);
    expect(wholePeriod(500, 50)).toBe(10);
    expect(wholePeriod(500, 0.2)).toBe(2500);
    expect(wholePeriod(500, 0.15)).toBe(10_000);
    expect(wholePeriod(256, 10)).toBe(128);
    // no whole span within the bounds: computed per sample, never a cut-short table
    expect(wholePeriod(Math.PI * 100, 10)).toBe(null);
    expect(wholePeriod(10_000, 0.1)).toBe(null);
  });

  test("slow terms stay continuous at rates whose periods exceed a table (10 and 20 kHz)", () => {
    for (const rate of [10_000, 20_000, Math.PI * 100]) {
      const signal = createEegSignal(3, rate);
      const prev = signal.next();
      let [ref, drl] = [prev.ref, prev.drl];
      // past the longest table (65 536 samples): a table cut short would jump back to its start
      for (let i = 1; i < 70_000; i++) {
        const s = signal.next();
        // REF (5 · sin, 0.1 Hz) moves by at most π/rate per sample, DRL (3 · cos, 0.15 Hz) 0.9π/rate
        expect(Math.abs(s.ref - ref)).toBeLessThan((1.1 * 2 * Math.PI * 0.5) / rate + 1e-6);
        expect(Math.abs(s.drl - drl)).toBeLessThan((1.1 * 2 * Math.PI * 0.45) / rate + 1e-6);
        [ref, drl] = [s.ref, s.drl];
      }
    }
  });
});
