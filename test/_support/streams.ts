/** @module Seeded stream generators for decoder tests: clean packets, damaged streams, random garbage. */
import { CHANNEL_COUNT, PACKET_LEN } from "../../src/decoder/types.ts";
import { writePacket } from "../../src/sources/packet-builder.ts";
import { createPrng } from "../../src/sources/signal.ts";

/** The simulator's seeded PRNG, so every failure can be replayed from its seed. */
export const prng = createPrng;

/** `count` valid EEG packets with counters from `firstCounter` and raw values from `random`. */
export function cleanStream(count: number, random: () => number, firstCounter = 0): Uint8Array {
  const out = new Uint8Array(count * PACKET_LEN);
  const raw = new Float32Array(CHANNEL_COUNT);
  for (let p = 0; p < count; p++) {
    for (let c = 0; c < CHANNEL_COUNT; c++) raw[c] = Math.round((random() - 0.5) * 16000);
    writePacket(out, p * PACKET_LEN, {
      counter: firstCounter + p,
      rawChannels: raw,
      ref: random() * 10,
      drl: -random(),
    });
  }
  return out;
}

/** A clean stream with byte flips, deletions, insertions (0xAA favoured) and garbage runs. */
export function damagedStream(count: number, random: () => number): Uint8Array {
  const clean = cleanStream(count, random);
  const out: number[] = [];
  for (let i = 0; i < clean.length; i++) {
    const roll = random();
    if (roll < 0.004) continue; // deletion
    if (roll < 0.008) out.push(random() < 0.5 ? 0xaa : Math.floor(random() * 256)); // insertion
    if (roll < 0.012) {
      out.push(clean[i]! ^ (1 + Math.floor(random() * 255))); // flip
      continue;
    }
    if (roll < 0.013) {
      for (let g = Math.floor(random() * 40); g > 0; g--) {
        out.push(random() < 0.3 ? 0xaa : Math.floor(random() * 256));
      }
    }
    out.push(clean[i]!);
  }
  return Uint8Array.from(out);
}

/** Uniform random bytes with extra 0xAA so windows are tried often. */
export function garbage(length: number, random: () => number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = random() < 0.2 ? 0xaa : Math.floor(random() * 256);
  return out;
}

/** Splits `bytes` into random chunk sizes in [0, maxChunk] (empty chunks included). */
export function randomChunks(
  bytes: Uint8Array,
  random: () => number,
  maxChunk: number,
): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length;) {
    const size = Math.floor(random() * (maxChunk + 1));
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}
