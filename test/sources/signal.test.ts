import { describe, expect, test } from "bun:test";
import { CHANNEL_COUNT, PACKET_LEN, UV_PER_COUNT } from "../../src/decoder/types.ts";
import { createPrng, simPackets, simRawChannels } from "../../src/sources/signal.ts";
import { inspectAligned, sameBytes } from "../_support/source-helpers.ts";

describe("simulated packet stream", () => {
  test("same seed gives the same bytes, another seed different ones", () => {
    const a = simPackets(7, 0, 300);
    const b = simPackets(7, 0, 300);
    const c = simPackets(8, 0, 300);
    expect(a.length).toBe(300 * PACKET_LEN);
    expect(sameBytes(a, b)).toBe(true);
    expect(sameBytes(a, c)).toBe(false);
  });

  test("a longer stream starts with the shorter one (generation is sequential, not chunk-dependent)", () => {
    const short = simPackets(3, 0, 40);
    const long = simPackets(3, 0, 400);
    expect(sameBytes(long.subarray(0, short.length), short)).toBe(true);
  });

  test("every packet is valid EEG with consecutive wrapping counters", () => {
    const slots = inspectAligned(simPackets(11, 250, 20));
    expect(slots.length).toBe(20);
    slots.forEach((s, i) => {
      expect(s.sync).toBe(true);
      expect(s.checksumOk).toBe(true);
      expect(s.eventId).toBe(239);
      expect(s.counter).toBe((250 + i) % 256);
    });
  });

  test("packets carry exactly the raw values simRawChannels reports", () => {
    const n = 50;
    const bytes = simPackets(5, 0, n);
    const raw = simRawChannels(5, n);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let p = 0; p < n; p++) {
      for (let c = 0; c < CHANNEL_COUNT; c++) {
        expect(view.getFloat32(p * PACKET_LEN + 12 + 4 * c, true)).toBe(
          raw[p * CHANNEL_COUNT + c]!,
        );
      }
    }
  });

  test("the signal is plausible EEG: tens of µV with a 10 Hz alpha peak", () => {
    const rate = 500;
    const n = 2 * rate;
    const raw = simRawChannels(9, n, rate);
    const ch1 = Array.from({ length: n }, (_, i) => raw[i * CHANNEL_COUNT]! * UV_PER_COUNT);
    const rms = Math.sqrt(ch1.reduce((s, v) => s + v * v, 0) / n);
    expect(rms).toBeGreaterThan(5);
    expect(rms).toBeLessThan(100);
    // power at a frequency by direct DFT; alpha must dominate a neighbouring 30 Hz bin
    const power = (hz: number) => {
      let re = 0;
      let im = 0;
      ch1.forEach((v, i) => {
        re += v * Math.cos((2 * Math.PI * hz * i) / rate);
        im += v * Math.sin((2 * Math.PI * hz * i) / rate);
      });
      return re * re + im * im;
    };
    expect(power(10)).toBeGreaterThan(20 * power(30));
    expect(power(50)).toBeGreaterThan(power(45));
  });

  test("the PRNG is deterministic and stays in [0, 1)", () => {
    const a = createPrng(42);
    const b = createPrng(42);
    for (let i = 0; i < 1000; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x >= 0 && x < 1).toBe(true);
    }
  });
});
