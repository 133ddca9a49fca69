/** @module Loads the framing vectors (produced by the reference decoder) copied into test/fixtures/vectors. */
import { readFileSync } from "node:fs";

export interface VectorEeg {
  event_id: number;
  counter: number;
  ref: number | string;
  drl: number | string;
  channels: (number | string)[];
  feature_status: number;
  offset: number;
  chunk: number;
  raw_hex: string;
}

export interface VectorEvent {
  event_id: number;
  counter: number;
  offset: number;
  chunk: number;
  raw_hex: string;
}

export interface VectorCase {
  name: string;
  input_hex: string;
  chunk_sizes: number[];
  expected: {
    eeg_packets: VectorEeg[];
    other_events: VectorEvent[];
    event_sequence: ["eeg" | "other", number][];
    stats: { valid_packets: number; invalid_packets: number; total_packets: number };
    residual_hex: string;
  };
  derived: { dropped_by_counter: number };
}

const DIR = new URL("../fixtures/vectors/", import.meta.url);

function readJson(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, DIR), "utf8"));
}

/** Every vector file listed in index.json with its cases. */
export function loadVectorFiles(): { file: string; declared: number; cases: VectorCase[] }[] {
  const index = readJson("index.json") as { files: { file: string; cases: number }[] };
  return index.files.map(({ file, cases }) => ({
    file,
    declared: cases,
    cases: (readJson(file) as { cases: VectorCase[] }).cases,
  }));
}

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The vectors spell non-finite floats as strings; turn them back into numbers. */
export function vectorNumber(value: number | string): number {
  return typeof value === "number" ? value : Number(value);
}
