/** @module Judges what the packed package decoded against the reference vectors: the probe's per-case output and the examples' JSON lines. */
import type { VectorCase } from "../_support/vectors.ts";
import { vectorNumber } from "../_support/vectors.ts";

/** One packet as the vectors probe writes it (non-finite numbers spelled as strings). */
export type ProbePacket =
  | {
    type: "eeg";
    chunk: number;
    offset: number;
    counter: number;
    featureStatus: number;
    ref: number | string;
    drl: number | string;
    channels: (number | string)[];
  }
  | { type: "event"; chunk: number; offset: number; counter: number; eventId: number; raw: string };

export interface ProbeCase {
  file: string;
  name: string;
  emitted: ProbePacket[];
  residual: string;
  stats: { eegPackets: number; checksumFailures: number };
}

/** Equal within 1e-9 relative, NaN and null (JSON's NaN) equal to any non-finite expectation of the same kind. */
export function close(actual: number | string | null, expected: number | string): boolean {
  const want = vectorNumber(expected);
  const got = actual === null ? NaN : vectorNumber(actual);
  if (!Number.isFinite(want)) return actual === null || Object.is(got, want);
  if (want === 0) return Object.is(got, want);
  return got === want || Math.abs(got - want) / Math.abs(want) <= 1e-9;
}

/** Mismatches between one vector's expectation and what the probe decoded, as readable lines. */
export function vectorMismatches(vector: VectorCase, got: ProbeCase): string[] {
  const { expected } = vector;
  const out: string[] = [];
  const at = `${got.file} / ${vector.name}`;
  const kinds = got.emitted.map((p) => (p.type === "eeg" ? "eeg" : "other")).join(",");
  if (kinds !== expected.event_sequence.map(([kind]) => kind).join(",")) {
    out.push(`${at}: packet kinds ${kinds}`);
  }
  const eeg = got.emitted.filter((p) => p.type === "eeg");
  const other = got.emitted.filter((p) => p.type === "event");
  expected.eeg_packets.forEach((want, i) => {
    const p = eeg[i];
    if (p === undefined) return void out.push(`${at}: eeg ${i} missing`);
    const same = p.chunk === want.chunk && p.offset === want.offset && p.counter === want.counter &&
      p.featureStatus === want.feature_status &&
      close(p.ref, want.ref) && close(p.drl, want.drl) && want.channels.every((v, k) =>
        close(p.channels[k] ?? null, v)
      );
    if (!same) out.push(`${at}: eeg ${i} is ${JSON.stringify(p)}`);
  });
  expected.other_events.forEach((want, i) => {
    const p = other[i];
    if (
      p?.chunk !== want.chunk || p.offset !== want.offset || p.counter !== want.counter ||
      p.eventId !== want.event_id || p.raw !== want.raw_hex
    ) {
      out.push(`${at}: event ${i} is ${JSON.stringify(p)}`);
    }
  });
  if (got.residual !== expected.residual_hex) out.push(`${at}: residual ${got.residual}`);
  if (
    got.stats.eegPackets !== expected.stats.valid_packets ||
    got.stats.checksumFailures !== expected.stats.invalid_packets
  ) {
    out.push(`${at}: stats ${JSON.stringify(got.stats)}`);
  }
  return out;
}

/** A packet line as the examples print it. */
export type ExampleLine =
  | { type: "eeg"; counter: number; offset: number; channels: (number | null)[]; leadOff: number[] }
  | { type: "event"; eventId: number; counter: number; offset: number };

/** Splits an example's output into its packet lines and its final stats line. */
export function parseExample(
  stdout: string,
): { packets: ExampleLine[]; stats: Record<string, number> } {
  const lines = stdout.trim().split("\n").map((l) =>
    JSON.parse(l) as ExampleLine | { stats: Record<string, number> }
  );
  const last = lines.pop();
  if (last === undefined || !("stats" in last)) {
    throw new Error(`the example did not end with a stats line: ${stdout.slice(-200)}`);
  }
  return { packets: lines as ExampleLine[], stats: last.stats };
}

/** Mismatches between an example's packets (from a file holding the vector's input) and the vector. */
export function exampleMismatches(vector: VectorCase, packets: ExampleLine[]): string[] {
  const { expected } = vector;
  const out: string[] = [];
  if (packets.length !== expected.event_sequence.length) {
    out.push(`${packets.length} packets, expected ${expected.event_sequence.length}`);
  }
  expected.event_sequence.forEach(([kind, index], i) => {
    const p = packets[i];
    if (kind === "eeg") {
      const want = expected.eeg_packets[index]!;
      const same = p?.type === "eeg" && p.counter === want.counter && p.offset === want.offset &&
        want.channels.every((v, k) => close(p.channels[k] ?? null, v));
      if (!same) {
        out.push(`packet ${i} is ${JSON.stringify(p)}, expected eeg ${JSON.stringify(want)}`);
      }
    } else {
      const want = expected.other_events[index]!;
      const same = p?.type === "event" && p.counter === want.counter && p.offset === want.offset &&
        p.eventId === want.event_id;
      if (!same) {
        out.push(`packet ${i} is ${JSON.stringify(p)}, expected event ${JSON.stringify(want)}`);
      }
    }
  });
  return out;
}
