/** @module Seeded PRNG and synthetic EEG waveforms (alpha + 1/f-ish noise + mains hum) for the simulator. */
import { CHANNEL_COUNT, LEAD_OFF_RAW, PACKET_LEN, UV_PER_COUNT } from "../decoder/types.ts";
import { writePacket } from "./packet-builder.ts";

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
  /** Raw ADC counts (µV / 0.023842), already rounded to f32 as the packet carries them. */
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

interface ChannelParams {
  alphaUv: number;
  alphaPhase: number;
  mainsUv: number;
  mainsPhase: number;
  noiseUv: number;
  pink: Float64Array;
}

/**
 * Plausible scalp EEG in tens of µV: a 10 Hz alpha rhythm whose amplitude waxes and wanes,
 * pink-ish background noise and a little 50 Hz mains hum; every channel gets its own seeded
 * amplitudes and phases. Same seed and rate ⇒ the same sample sequence.
 */
export function createEegSignal(seed: number, rateHz: number): EegSignal {
  const rand = createPrng(seed);
  const channels: ChannelParams[] = [];
  for (let c = 0; c < CHANNEL_COUNT; c++) {
    channels.push({
      alphaUv: 12 + 14 * rand(),
      alphaPhase: TWO_PI * rand(),
      mainsUv: 2 + 4 * rand(),
      mainsPhase: TWO_PI * rand(),
      noiseUv: 6 + 6 * rand(),
      pink: new Float64Array(PINK_POLES.length),
    });
  }
  const sample: SignalSample = { ref: 0, drl: 0, raw: new Float32Array(CHANNEL_COUNT) };
  let index = 0;

  // Sum of four uniforms: a cheap, bounded, roughly normal value with unit variance.
  const normal = (): number => (rand() + rand() + rand() + rand() - 2) * 1.7320508;

  return {
    next() {
      const t = index / rateHz;
      index++;
      const envelope = 0.75 + 0.25 * Math.sin(TWO_PI * 0.2 * t);
      for (let c = 0; c < CHANNEL_COUNT; c++) {
        const ch = channels[c]!;
        let noise = 0;
        const white = normal();
        for (let k = 0; k < PINK_POLES.length; k++) {
          const pole = PINK_POLES[k]!;
          // scale each stage by sqrt(1 - pole²) so all stages have unit variance before weighting
          ch.pink[k] = pole * ch.pink[k]! + Math.sqrt(1 - pole * pole) * white;
          noise += PINK_GAINS[k]! * ch.pink[k]!;
        }
        const uv = ch.alphaUv * envelope * Math.sin(TWO_PI * ALPHA_HZ * t + ch.alphaPhase) +
          ch.mainsUv * Math.sin(TWO_PI * MAINS_HZ * t + ch.mainsPhase) +
          ch.noiseUv * noise;
        sample.raw[c] = uv / UV_PER_COUNT;
      }
      sample.ref = 5 * Math.sin(TWO_PI * 0.1 * t);
      sample.drl = 3 * Math.cos(TWO_PI * 0.15 * t);
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
 * carry the lead-off sentinel (raw 8388607) in every packet instead of the signal.
 */
export function createPacketGenerator(
  seed: number,
  startCounter: number,
  rateHz: number,
  leadOff: readonly number[] = [],
): PacketGenerator {
  const signal = createEegSignal(seed, rateHz);
  let counter = startCounter & 0xff;
  return {
    fill(out, at, count) {
      for (let i = 0; i < count; i++) {
        const s = signal.next();
        for (const ch of leadOff) s.raw[ch - 1] = LEAD_OFF_RAW;
        writePacket(out, at + i * PACKET_LEN, {
          counter,
          ref: s.ref,
          drl: s.drl,
          rawChannels: s.raw,
        });
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

/** The raw channel values (f32 counts, packet i at [i*12, i*12+12)) that `simPackets` writes. */
export function simRawChannels(seed: number, count: number, rateHz = 500): Float32Array {
  const out = new Float32Array(count * CHANNEL_COUNT);
  const signal = createEegSignal(seed, rateHz);
  for (let i = 0; i < count; i++) out.set(signal.next().raw, i * CHANNEL_COUNT);
  return out;
}
