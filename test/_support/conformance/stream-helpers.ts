/** @module Shared pieces of the stream scenarios (docs/protocol/bridge-api.md §1–§3): an independent binary-frame parser and collectors by seq. */
import { expect } from "bun:test";
import type { Msg, WsClient } from "../ws-client.ts";
import { isEeg } from "./helpers.ts";

/** The `data` of a received message: parsed JSON, read field by field and checked with expect. */
// deno-lint-ignore no-explicit-any
export type Data = Record<string, any>;

// --- binary frames (§3) ---

/** A binary frame as §3 lays it out; written from the contract's table, not from the server's reader. */
export interface Frame {
  version: number;
  kind: number;
  channelCount: number;
  flags: number;
  count: number;
  sampleRate: number;
  firstSeq: number;
  t0: number;
  mask: number;
  reserved: number;
  /** Channel numbers in the mask, ascending: the order of the planes. */
  channels: number[];
  /** Channel number → its N values. */
  planes: Map<number, number[]>;
  ref?: number[];
  drl?: number[];
  /** Per sample, the 16-bit lead-off mask. */
  leadOff: number[];
  bytes: Uint8Array;
}

/** Parses one frame with a DataView; throws when the magic is wrong or the length is not exact. */
export function parseFrame(bytes: Uint8Array): Frame {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 36) {
    throw new Error(`frame of ${bytes.byteLength} bytes is shorter than the 36-byte header`);
  }
  const magic = String.fromCharCode(bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!);
  if (magic !== "MW75") throw new Error(`frame magic is ${JSON.stringify(magic)}, not "MW75"`);
  const channelCount = v.getUint8(6);
  const flags = v.getUint8(7);
  const n = v.getUint32(8, true);
  const mask = v.getUint16(32, true);
  const withRefDrl = (flags & 1) === 1;
  const expected = 36 + 4 * channelCount * n + (withRefDrl ? 8 * n : 0) + 2 * n;
  if (bytes.byteLength !== expected) {
    throw new Error(
      `frame is ${bytes.byteLength} bytes; C=${channelCount}, N=${n}, flags=${flags} make ${expected}`,
    );
  }
  const channels = Array.from({ length: 12 }, (_, k) => k + 1).filter((ch) =>
    (mask >> (ch - 1)) & 1
  );
  const plane = (p: number) =>
    Array.from({ length: n }, (_, i) => v.getFloat32(36 + 4 * (p * n + i), true));
  const planes = new Map(channels.map((ch, p) => [ch, plane(p)] as const));
  const leadOffAt = 36 + 4 * (channelCount + (withRefDrl ? 2 : 0)) * n;
  const frame: Frame = {
    version: v.getUint8(4),
    kind: v.getUint8(5),
    channelCount,
    flags,
    count: n,
    sampleRate: v.getFloat32(12, true),
    firstSeq: v.getFloat64(16, true),
    t0: v.getFloat64(24, true),
    mask,
    reserved: v.getUint16(34, true),
    channels,
    planes,
    leadOff: Array.from({ length: n }, (_, i) => v.getUint16(leadOffAt + 2 * i, true)),
    bytes,
  };
  if (withRefDrl) {
    frame.ref = plane(channelCount);
    frame.drl = plane(channelCount + 1);
  }
  return frame;
}

/** The header checks every frame must pass. */
export function expectFrameHeader(
  f: Frame,
  channels: number[],
  refDrl: boolean,
  sampleRate = 500,
): void {
  expect([f.version, f.kind, f.reserved]).toEqual([1, 1, 0]);
  expect(f.channels).toEqual(channels);
  expect(f.channelCount).toBe(channels.length);
  expect(f.flags).toBe(refDrl ? 1 : 0);
  expect(f.sampleRate).toBe(sampleRate);
  expect(f.count).toBeGreaterThan(0);
  expect(Number.isInteger(f.firstSeq)).toBe(true);
  for (const m of f.leadOff) expect(m >> 12).toBe(0);
}

// --- collectors ---

export const isBatch = (m: Msg) => m.type === "eeg_batch";
export const isBinary = (m: Msg) => m.type === "__binary__";
export const isEvent = (type: string) => (m: Msg) =>
  m.type === "event" && m.data["event_type"] === type;

/** The parsed binary frames among `msgs`, in arrival order. */
export function framesOf(msgs: Msg[]): Frame[] {
  return msgs.filter(isBinary).map((m) => parseFrame(m.bytes!));
}

/** eeg_data data by seq. */
export function eegBySeq(msgs: Msg[]): Map<number, Data> {
  return new Map(msgs.filter(isEeg).map((m) => [m.data["seq"] as number, m.data as Data]));
}

/** One sample of a JSON batch, by seq. */
export interface BatchSample {
  seq: number;
  time: number;
  counter: number;
  ref: number;
  drl: number;
  channels: Record<string, number>;
  leadOff: number[];
}

/** Every sample of the JSON batches among `msgs`, by seq (sample i at first_seq + i × decimate). */
export function batchSamplesBySeq(msgs: Msg[]): Map<number, BatchSample> {
  const out = new Map<number, BatchSample>();
  for (const m of msgs.filter(isBatch)) {
    const d = m.data as Data;
    for (let i = 0; i < d["count"]; i++) {
      const seq = d["first_seq"] + i * d["decimate"];
      const channels: Record<string, number> = {};
      for (const [k, values] of Object.entries(d["channels"] as Record<string, number[]>)) {
        channels[k] = values[i]!;
      }
      out.set(seq, {
        seq,
        time: d["timestamps"][i],
        counter: d["counters"][i],
        ref: d["ref"][i],
        drl: d["drl"][i],
        channels,
        leadOff: d["lead_off"],
      });
    }
  }
  return out;
}

/** The seqs a list of frames covers, in order (sample i at first_seq + i × 500 / sample_rate). */
export function frameSeqs(frames: Frame[]): number[] {
  return frames.flatMap((f) =>
    Array.from({ length: f.count }, (_, i) => f.firstSeq + i * Math.round(500 / f.sampleRate))
  );
}

/** Fails with the first place where `seqs` is not `first, first + step, …` (a hole or a duplicate). */
export function expectConsecutive(seqs: number[], what: string, step = 1): void {
  const bad = seqs.findIndex((s, i) => i > 0 && s !== seqs[i - 1]! + step);
  if (bad >= 0) {
    throw new Error(
      `${what}: seq ${seqs[bad - 1]} is followed by ${seqs[bad]} (index ${bad} of ${seqs.length})`,
    );
  }
}

/** Lead-off channel list → 12-bit mask. */
export const maskOf = (channels: number[]) => channels.reduce((m, ch) => m | (1 << (ch - 1)), 0);

/** Waits until `c` has received `n` messages matching `pred` since index `from`, bounded. */
export async function untilCount(
  c: WsClient,
  from: number,
  pred: (m: Msg) => boolean,
  n: number,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = 0;
  for (let at = from;;) {
    for (; at < c.messages.length; at++) if (pred(c.messages[at]!)) seen++;
    if (seen >= n) return;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${n} × ${what} (got ${seen})`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
