/**
 * @module The metrics capture (test/_support/metrics-capture.ts) decoded by the real decoder: clean
 * packets, and on every channel the content its plan says — so a failing metrics test blames the
 * server, not the fixture.
 */
import { describe, expect, test } from "bun:test";
import { readDecoderWasm } from "../../src/adapters/wasm-file.ts";
import { createDecoder } from "../../src/decoder/decoder.ts";
import type { EegPacket } from "../../src/decoder/types.ts";
import {
  CAPTURE_RATE_HZ,
  channelSamples,
  METRICS_CHANNELS,
  metricsCaptureBytes,
} from "../_support/metrics-capture.ts";

const SECONDS = 12;
const COUNT = SECONDS * CAPTURE_RATE_HZ;
const decoder = await createDecoder(await readDecoderWasm());
const packets = decoder.push(metricsCaptureBytes(SECONDS)).filter((p): p is EegPacket =>
  p.type === "eeg"
);
const plane = (c: number, from = 0, to = COUNT) =>
  Float64Array.from(packets.slice(from, to), (p) => p.channels[c]!);

const mean = (x: Float64Array) => x.reduce((s, v) => s + v, 0) / x.length;
const rms = (x: Float64Array) => {
  const m = mean(x);
  return Math.sqrt(x.reduce((s, v) => s + (v - m) ** 2, 0) / x.length);
};
/** Amplitude of the `hz` component (least squares on sin and cos over the whole span). */
function amplitudeAt(x: Float64Array, hz: number): number {
  let s = 0;
  let c = 0;
  const m = mean(x);
  for (let i = 0; i < x.length; i++) {
    const w = 2 * Math.PI * hz * i / CAPTURE_RATE_HZ;
    s += (x[i]! - m) * Math.sin(w);
    c += (x[i]! - m) * Math.cos(w);
  }
  return (2 / x.length) * Math.hypot(s, c);
}

describe("metricsCaptureBytes", () => {
  test("decodes to one clean EEG packet per sample, counters 0…255 wrapping", () => {
    expect(packets).toHaveLength(COUNT);
    expect(decoder.stats()).toMatchObject({
      checksumFailures: 0,
      bytesSkipped: 0,
      lostPackets: 0,
      nonFiniteValues: 0,
    });
    expect(packets.every((p, i) => p.counter === (i & 0xff))).toBe(true);
  });

  test("carries the planned µV on every channel, to f32 rounding", () => {
    for (let c = 0; c < METRICS_CHANNELS.length; c++) {
      if (METRICS_CHANNELS[c]!.leadOff) continue;
      const want = channelSamples(c, COUNT);
      const got = plane(c);
      let worst = 0;
      for (let i = 0; i < COUNT; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
      // f32 keeps 24 bits: ≤ 2^-24 of a value under 4000 µV, well below 0.001 µV
      expect(worst, METRICS_CHANNELS[c]!.label).toBeLessThan(1e-3);
    }
  });

  test("the sentinel channel is flagged lead-off in every packet and no other channel ever is", () => {
    const off = METRICS_CHANNELS.flatMap((p, c) => (p.leadOff ? [c + 1] : []));
    expect(off).toHaveLength(1);
    expect(packets.every((p) => p.leadOff.length === 1 && p.leadOff[0] === off[0])).toBe(true);
  });

  test("each 2-s window has the planned RMS, mean and tone amplitudes", () => {
    // windows at several places, as the server's windows end wherever the replay happens to be
    for (const start of [0, 777, 3000, COUNT - 1000]) {
      for (let c = 0; c < METRICS_CHANNELS.length; c++) {
        const p = METRICS_CHANNELS[c]!;
        if (p.leadOff) continue;
        const x = plane(c, start, start + 1000);
        const what = `${p.label} from sample ${start}`;
        // a tone over a non-whole number of its periods, and noise against a tone, move RMS ≤ 1 %
        if (p.expect.rmsUv! > 0) {
          expect(Math.abs(rms(x) / p.expect.rmsUv! - 1), what).toBeLessThan(0.01);
        } else expect(rms(x), what).toBeLessThan(1e-6);
        expect(Math.abs(mean(x) - p.offsetUv), what).toBeLessThan(0.05 * p.expect.rmsUv! + 1e-3);
      }
    }
    for (let c = 0; c < METRICS_CHANNELS.length; c++) {
      const p = METRICS_CHANNELS[c]!;
      for (const t of p.tones) {
        const a = amplitudeAt(plane(c), t.hz); // 12 s: leakage of the other tone and noise < 2 %
        expect(Math.abs(a / t.uv - 1), `${p.label}: ${t.hz} Hz`).toBeLessThan(0.02);
      }
    }
  });

  test("the loose and railed channels' noise is broadband, not a tone", () => {
    for (const p of METRICS_CHANNELS.filter((q) => q.noiseRmsUv >= 100)) {
      const c = METRICS_CHANNELS.indexOf(p);
      // a tone would put ≥ 70 % of the RMS into one frequency; white noise puts ~1/√N into each
      for (const hz of [5, 10, 20, 40, 50, 80]) {
        expect(amplitudeAt(plane(c), hz) / p.noiseRmsUv, `${p.label} at ${hz} Hz`)
          .toBeLessThan(0.2);
      }
    }
  });
});
