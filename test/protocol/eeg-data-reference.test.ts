/** @module eeg_data text against JSON.stringify of the same fields, on random blocks: the hand-built strings must be byte-identical. */
import { describe, expect, test } from "bun:test";
import { CHANNELS } from "../../src/core/samples.ts";
import type { SampleBlock } from "../../src/core/samples.ts";
import { eegDataMessages } from "../../src/protocol/encoders/eeg-data.ts";

/** A seeded LCG, so a failure names a reproducible block. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

const SPECIALS = [NaN, Infinity, -Infinity, -0, 0, 5e-324, 1e21, 1e-7, 8388607 * 0.023842];

function randomBlock(r: () => number, first: number): SampleBlock {
  const n = 1 + Math.floor(r() * 8);
  const value = () =>
    r() < 0.05
      ? SPECIALS[Math.floor(r() * SPECIALS.length)]!
      : Math.fround(Math.round((r() - 0.5) * 1e6)) * 0.023842;
  const channels = Float64Array.from({ length: n * CHANNELS }, value);
  const ref = Float64Array.from({ length: n }, value);
  const drl = Float64Array.from({ length: n }, value);
  const nonFinite = Uint16Array.from({ length: n }, (_, i) => {
    let bad = 0;
    for (let c = 0; c < CHANNELS; c++) {
      if (!Number.isFinite(channels[i * CHANNELS + c]!)) bad |= 1 << c;
    }
    if (!Number.isFinite(ref[i]!)) bad |= 1 << CHANNELS;
    if (!Number.isFinite(drl[i]!)) bad |= 1 << (CHANNELS + 1);
    return bad;
  });
  return {
    count: n,
    seq: Float64Array.from({ length: n }, (_, i) => first + i),
    counter: Uint8Array.from({ length: n }, () => r() * 256),
    time: new Float64Array(n),
    ref,
    drl,
    channels,
    leadOff: Uint16Array.from({ length: n }, () => (r() < 0.2 ? Math.floor(r() * 4096) : 0)),
    nonFinite,
    featureStatus: Uint8Array.from({ length: n }, () => r() * 256),
    arrivalMs: 1.7e12 + r() * 1e9,
    gaps: [],
    duplicates: 0,
  };
}

/** The same message through JSON.stringify (NaN/±Infinity become null there too). */
function reference(block: SampleBlock, i: number, id: string): string {
  const channels: Record<string, number> = {};
  for (let c = 0; c < CHANNELS; c++) channels[`ch${c + 1}`] = block.channels[i * CHANNELS + c]!;
  const leadOff: number[] = [];
  for (let c = 0; c < CHANNELS; c++) if (block.leadOff[i]! & (1 << c)) leadOff.push(c + 1);
  return JSON.stringify({
    id,
    type: "eeg_data",
    data: {
      timestamp: block.arrivalMs / 1000,
      event_id: 239,
      counter: block.counter[i],
      seq: block.seq[i],
      ref: block.ref[i],
      drl: block.drl[i],
      channels,
      feature_status: block.featureStatus[i],
      lead_off: leadOff,
    },
  });
}

describe("eegDataMessages against JSON.stringify", () => {
  test("2000 random blocks (finite, NaN, ±Infinity, −0, subnormal, huge, lead-off) give the same text", () => {
    const r = prng(24);
    for (let k = 0; k < 2000; k++) {
      const block = randomBlock(r, k * 10);
      let next = 0;
      const messages = eegDataMessages(block, () => `id-${k}-${next++}`);
      expect(messages.length).toBe(block.count);
      for (let i = 0; i < block.count; i++) {
        expect(messages[i]).toBe(reference(block, i, `id-${k}-${i}`));
      }
    }
  });
});
