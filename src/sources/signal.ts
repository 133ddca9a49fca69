/** @module Seeded PRNG and synthetic EEG waveforms (alpha + 1/f-ish noise + mains hum) for the simulator, in whole ADC counts. */
import { CHANNEL_COUNT, LEAD_OFF_RAW, PACKET_LEN, UV_PER_COUNT } from "../decoder/types.ts";
import { writeEegPacket } from "./packet-builder.ts";
import { periodicTables, periodicWave, type Wave, waveAt } from "./signal-tables.ts";

/** A deterministic generator of floats in [0, 1). */
export type Prng = () => number;

/**
 * Small 32-bit PRNG (mulberry32 family): fast, seedable and identical in every runtime, which is
 * all the simulator needs; it is not meant for anything statistical or secret.
 */
export function createPrng(seed: number): Prng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

/** One simulated sample: REF/DRL (passed through unscaled) and twelve RAW channel counts as f32. */
export interface SignalSample {
  ref: number;
  drl: number;
  /** Raw ADC counts: whole numbers, as a 24-bit ADC gives them (µV = count × 0.023842). */
  readonly raw: Float32Array;
}

/** A stateful EEG waveform: each `next()` advances one sample period and overwrites the sample. */
export interface EegSignal {
  next(): SignalSample;
}

const ALPHA_HZ = 10;
const MAINS_HZ = 50;
const TWO_PI = 2 * Math.PI;
// One-pole low-pass stages whose sum approximates a 1/f spectrum over ~1-100 Hz (Kellet-style).
const PINK_POLES = [0.995, 0.96, 0.7] as const;
const PINK_GAINS = [0.5, 0.3, 0.2] as const;
// each stage's input scale sqrt(1 - pole²) gives every stage unit variance before weighting
const PINK_INPUT = PINK_POLES.map((p) => Math.sqrt(1 - p * p));
const [P0, P1, P2] = PINK_POLES;
const [G0, G1, G2] = PINK_GAINS;
const [S0, S1, S2] = PINK_INPUT as [number, number, number];
/** The signed 24-bit range, less the top value: 8388607 is the lead-off sentinel, sent only for a loose electrode. */
const MIN_COUNT = -8388608;
const MAX_COUNT = LEAD_OFF_RAW - 1;

/** A periodic term of one channel: `amp · sin(2π · hz · i / rate + phase)`. */
function channelWave(hz: number, rateHz: number, amp: number, phase: number): Wave {
  return periodicWave(rateHz, hz, (i) => amp * Math.sin((TWO_PI * hz * i) / rateHz + phase));
}

/**
 * Plausible scalp EEG in tens of µV: a 10 Hz alpha rhythm whose amplitude waxes and wanes,
 * pink-ish background noise and a little 50 Hz mains hum; every channel gets its own seeded
 * amplitudes and phases. Same seed and rate ⇒ the same sample sequence (across runtimes as
 * far as their Math.sin agree, which the rounding to whole counts and to f32 makes near certain).
 *
 * Each channel is rounded to a whole ADC count (clamped to the 24-bit range below the lead-off
 * sentinel), as a real headset's ADC delivers it. Every periodic term is tabulated once: the
 * sines per channel over one period (10 and 50 samples at 500 Hz), the envelope and REF/DRL per
 * rate, shared by all devices; a sample then costs table look-ups, the noise and a rounding. A
 * term with no whole period within 65 536 samples (slow terms at rates of kHz) is computed per sample.
 */
export function createEegSignal(seed: number, rateHz: number): EegSignal {
  const rand = createPrng(seed);
  const shared = periodicTables(rateHz);
  const alpha: Wave[] = [];
  const mains: Wave[] = [];
  const noiseUv = new Float64Array(CHANNEL_COUNT);
  for (let c = 0; c < CHANNEL_COUNT; c++) {
    // the draw order of the seeded parameters (alpha, phase, mains, phase, noise) is the contract of a seed
    const alphaUv = 12 + 14 * rand();
    alpha.push(channelWave(ALPHA_HZ, rateHz, alphaUv, TWO_PI * rand()));
    const mainsUv = 2 + 4 * rand();
    mains.push(channelWave(MAINS_HZ, rateHz, mainsUv, TWO_PI * rand()));
    noiseUv[c] = 6 + 6 * rand();
  }
  // three pink stages per channel, stage-major: pink[k * 12 + c]
  const pink = new Float64Array(3 * CHANNEL_COUNT);
  const sample: SignalSample = { ref: 0, drl: 0, raw: new Float32Array(CHANNEL_COUNT) };
  const raw = sample.raw;
  const { envelope, ref, drl } = shared;
  let index = 0;

  return {
    next() {
      const i = index++;
      const env = waveAt(envelope, i);
      for (let c = 0; c < CHANNEL_COUNT; c++) {
        // sum of four uniforms: a cheap, bounded, roughly normal value with unit variance
        const white = (rand() + rand() + rand() + rand() - 2) * 1.7320508;
        const a = P0 * pink[c]! + S0 * white;
        const b = P1 * pink[CHANNEL_COUNT + c]! + S1 * white;
        const d = P2 * pink[2 * CHANNEL_COUNT + c]! + S2 * white;
        pink[c] = a;
        pink[CHANNEL_COUNT + c] = b;
        pink[2 * CHANNEL_COUNT + c] = d;
        const uv = waveAt(alpha[c]!, i) * env + waveAt(mains[c]!, i) +
          noiseUv[c]! * (G0 * a + G1 * b + G2 * d);
        // + 0 turns −0 (a value rounded up to zero from below) into 0: an ADC's integer has no sign of zero
        const count = Math.round(uv / UV_PER_COUNT) + 0;
        raw[c] = count < MIN_COUNT ? MIN_COUNT : count > MAX_COUNT ? MAX_COUNT : count;
      }
      sample.ref = waveAt(ref, i);
      sample.drl = waveAt(drl, i);
      return sample;
    },
  };
}

/** Writes consecutive simulated packets; counters continue from `startCounter` and wrap at 256. */
export interface PacketGenerator {
  /** Writes `count` packets of 63 bytes into `out` starting at byte `at`. */
  fill(out: Uint8Array, at: number, count: number): void;
  /** Counter the next packet will carry. */
  readonly nextCounter: number;
}

/**
 * A packet generator over `createEegSignal(seed, rateHz)`; the 1-based channels in `leadOff`
 * carry the lead-off sentinel (raw 8388607) in every packet instead of the signal. Writes with
 * packet-builder's `writeEegPacket`, through one DataView per output buffer.
 */
export function createPacketGenerator(
  seed: number,
  startCounter: number,
  rateHz: number,
  leadOff: readonly number[] = [],
): PacketGenerator {
  const signal = createEegSignal(seed, rateHz);
  let counter = startCounter & 0xff;
  let view: DataView = new DataView(new ArrayBuffer(0));
  return {
    fill(out, at, count) {
      if (
        view.buffer !== out.buffer || view.byteOffset !== out.byteOffset ||
        view.byteLength !== out.byteLength
      ) {
        view = new DataView(out.buffer, out.byteOffset, out.byteLength);
      }
      for (let i = 0, p = at; i < count; i++, p += PACKET_LEN) {
        const s = signal.next();
        for (const ch of leadOff) s.raw[ch - 1] = LEAD_OFF_RAW;
        writeEegPacket(out, view, p, counter, s.ref, s.drl, s.raw);
        counter = (counter + 1) & 0xff;
      }
    },
    get nextCounter() {
      return counter;
    },
  };
}

/**
 * The simulator's clean packet stream as one buffer: `count` concatenated 63-byte packets for
 * `seed`, counters from `startCounter`. A sim link opened with the same seed and rate and no
 * faults emits exactly these bytes (from counter 0).
 */
export function simPackets(
  seed: number,
  startCounter: number,
  count: number,
  rateHz = 500,
): Uint8Array {
  const out = new Uint8Array(count * PACKET_LEN);
  createPacketGenerator(seed, startCounter, rateHz).fill(out, 0, count);
  return out;
}

/** The raw channel values (whole counts as f32, packet i at [i*12, i*12+12)) that `simPackets` writes. */
export function simRawChannels(seed: number, count: number, rateHz = 500): Float32Array {
  const out = new Float32Array(count * CHANNEL_COUNT);
  const signal = createEegSignal(seed, rateHz);
  for (let i = 0; i < count; i++) out.set(signal.next().raw, i * CHANNEL_COUNT);
  return out;
}
