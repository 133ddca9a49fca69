/**
 * @module The identity check's capture file: ~20 s of 500-Hz MW75 packets from a seeded PRNG,
 * written with the bridge's own packet writer, holding every case the streams must carry
 * unchanged (fractional and whole counts, lead-off, non-finite values, −0, gaps, a duplicate, a
 * corrupted packet, junk bytes and a recorded reconnect).
 */
import { CHANNEL_COUNT, LEAD_OFF_RAW, PACKET_LEN } from "../src/decoder/types.ts";
import { captureRecord } from "../src/recording/capture-format.ts";
import { writePacket } from "../src/sources/packet-builder.ts";

/** Packets the capture is built from (before drops): 20 s at 500 Hz. */
export const CAPTURE_PACKETS = 10_000;

/** Packet indices left out of the file: counter gaps of 1, 3, 40 and 7 packets. */
const DROPPED: ReadonlyArray<[number, number]> = [[1000, 1], [2500, 3], [5000, 40], [8000, 7]];
/** Samples the bridge must decode from the capture: all but the dropped, corrupted and cut ones. */
export function expectedSamples(): number {
  return CAPTURE_PACKETS - DROPPED.reduce((n, [, k]) => n + k, 0) - 2;
}
/** Written twice in a row: a duplicate counter. */
const DUPLICATED = 4000;
/** Written with one payload byte flipped: a checksum failure. */
const CORRUPTED = 6000;
/** Junk bytes (an 0xAA among them) written before this packet: the decoder must resync. */
const JUNK_BEFORE = 6500;
const JUNK = [0x00, 0x13, 0xaa, 0x01, 0x02, 0xef, 0x3c];
/** Only the first half of this packet is written, then a boundary record (a recorded reconnect). */
const CUT = 9001;
/** The boundary record's fixed time, so the file is the same on every run. */
const RECORDED_RECONNECT_MS = 1_700_000_000_000;
/** Channel 9 sits on the lead-off sentinel over these packet spans. */
const LEAD_OFF_SPANS: ReadonlyArray<[number, number]> = [[3000, 3600], [7000, 7100]];
/** Non-finite values: [packet, signal] where signal 0–11 is a channel, 12 REF, 13 DRL. */
const NON_FINITE: ReadonlyArray<[number, number, number]> = [
  [1500, 11, Number.NaN],
  [1501, 11, Number.POSITIVE_INFINITY],
  [2200, 11, Number.NEGATIVE_INFINITY],
  [3300, 2, Number.NaN],
  [4400, 12, Number.NaN],
  [5500, 13, Number.POSITIVE_INFINITY],
  [7777, 0, Number.NEGATIVE_INFINITY],
];

/** mulberry32: a small seeded PRNG, so the capture never depends on the simulator's signal. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The raw counts (12 channels, REF, DRL) of packet `i`. */
function signals(i: number, rand: () => number): number[] {
  const t = i / 500;
  const noise = (): number => (rand() - 0.5) * 400;
  const out: number[] = [];
  for (let c = 0; c < CHANNEL_COUNT; c++) {
    const wave = 30_000 * Math.sin(2 * Math.PI * (3 + c) * t + c) + noise();
    // channels 1–4 and 11–12 fractional counts, 5–10 whole counts (as a real headset sends)
    out.push(c >= 4 && c < 10 ? Math.round(wave) : wave / 7);
  }
  // channel 10: now and then beyond BDF's ±8000000 (clipped there) and far beyond EDF's range
  if (i % 997 === 0) out[9] = i % 2 === 0 ? 8_100_000 : -8_200_000;
  // channel 11: −0, subnormal and huge values, exactly as f32 holds them
  if (i % 250 === 7) out[10] = -0;
  if (i % 1250 === 9) out[10] = 1e-40;
  if (i === 4321) out[3] = 3e38;
  for (const [from, to] of LEAD_OFF_SPANS) if (i >= from && i < to) out[8] = LEAD_OFF_RAW;
  // REF and DRL cross zero slowly, with −0 at some crossings
  const ref = 1200.5 * Math.sin(2 * Math.PI * 0.5 * t) + noise() / 10;
  const drl = -800.25 * Math.cos(2 * Math.PI * 0.25 * t);
  out.push(i % 500 === 0 ? -0 : ref, i % 1000 === 3 ? -0 : drl);
  for (const [p, s, v] of NON_FINITE) if (p === i) out[s] = v;
  return out;
}

/** The capture bytes; the same on every call. */
export function buildCapture(): Uint8Array {
  const rand = prng(24);
  const parts: Uint8Array[] = [];
  const packet = (i: number): Uint8Array => {
    const s = signals(i, rand);
    const out = new Uint8Array(PACKET_LEN);
    writePacket(out, 0, {
      counter: i & 0xff,
      ref: s[12]!,
      drl: s[13]!,
      rawChannels: s.slice(0, CHANNEL_COUNT),
      featureStatus: i % 7,
    });
    return out;
  };
  for (let i = 0; i < CAPTURE_PACKETS; i++) {
    // the signal advances for dropped packets too, so every kept packet is the same on every run
    const p = packet(i);
    if (DROPPED.some(([from, n]) => i >= from && i < from + n)) continue;
    if (i === JUNK_BEFORE) parts.push(Uint8Array.from(JUNK));
    if (i === CORRUPTED) p[20] = p[20]! ^ 0x40;
    if (i === CUT) {
      parts.push(p.slice(0, 31), captureRecord(2, RECORDED_RECONNECT_MS));
      continue;
    }
    parts.push(p);
    if (i === DUPLICATED) parts.push(p.slice());
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
