/** @module Sample encoding: test patterns byte-exact against the captured feeds, float32 chunks with deduced and explicit tags, strings. */
import { describe, expect, test } from "bun:test";
import {
  encodeFloat32Chunk,
  encodeStringSample,
  TAG_DEDUCED,
  TAG_TRANSMITTED,
  testPatterns,
} from "../../src/lsl/wire/feed-encode.ts";
import { readCapture, tcpStreams } from "../_support/lsl-captures.ts";

const feeds = tcpStreams(readCapture("liblsl-outlet-inlet.tcp.txt")).filter((s) =>
  s.binary.length > 0
);
const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, "0")).join(" ");

/** Walks a float32 feed body: per sample its tag and timestamp (NaN when deduced) and first value. */
function walk(bytes: Uint8Array, channels: number): { tag: number; t: number; v0: number }[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: { tag: number; t: number; v0: number }[] = [];
  for (let pos = 0; pos < bytes.length;) {
    const tag = view.getUint8(pos++);
    let t = NaN;
    if (tag === TAG_TRANSMITTED) {
      t = view.getFloat64(pos, true);
      pos += 8;
    } else if (tag !== TAG_DEDUCED) throw new Error(`bad tag ${tag} at ${pos - 1}`);
    out.push({ tag, t, v0: view.getFloat32(pos, true) });
    pos += channels * 4;
  }
  return out;
}

describe("testPatterns", () => {
  test("float32 × 14 equals the captured liblsl feed's first two samples", () => {
    const ours = testPatterns("float32", 14);
    expect(ours.length).toBe(2 * 65);
    expect(hex(ours)).toBe(hex(feeds[0]!.binary.subarray(0, 130)));
  });
  test("string × 1 equals the captured marker feed's first two samples", () => {
    expect(hex(testPatterns("string", 1))).toBe(hex(feeds[1]!.binary.subarray(0, 26)));
  });
  test("other formats: sizes, signs and bases", () => {
    const d = new DataView(testPatterns("double64", 2).buffer);
    expect(d.getFloat64(9, true)).toBe(16777221);
    expect(d.getFloat64(17, true)).toBe(-16777222);
    const i16 = new DataView(testPatterns("int16", 3).buffer);
    expect([i16.getInt16(9, true), i16.getInt16(11, true), i16.getInt16(13, true)]).toEqual([
      261,
      -262,
      263,
    ]);
    expect(testPatterns("int8", 4).length).toBe(2 * (9 + 4));
    const i64 = new DataView(testPatterns("int64", 1).buffer);
    expect(i64.getBigInt64(9, true)).toBe(2147483653n);
    const s = new TextDecoder().decode(testPatterns("string", 3));
    expect(s).toContain("\u000210\u0001\u0003-11\u0001\u000212");
  });
});

describe("encodeFloat32Chunk", () => {
  const chunk = (times: number[], channels = 14, rate = 500) => {
    const values = new Float32Array(times.length * channels).map((_, i) => i);
    return encodeFloat32Chunk(values, Float64Array.from(times), channels, rate);
  };

  test("the first sample carries its time, the regular rest are deduced: 65 + 57 × (n − 1) bytes", () => {
    const t0 = 1000.5;
    const bytes = chunk([t0, t0 + 0.002, t0 + 0.004, t0 + 0.006]);
    expect(bytes.length).toBe(65 + 3 * 57);
    const samples = walk(bytes, 14);
    expect(samples.map((s) => s.tag)).toEqual([2, 1, 1, 1]);
    expect(samples[0]!.t).toBe(t0);
    expect(samples.map((s) => s.v0)).toEqual([0, 14, 28, 42]);
  });

  test("a gap or a step off the rate by more than 1 µs is explicit; within 1 µs it is deduced", () => {
    const samples = walk(chunk([10, 10.002, 10.0060, 10.0080005, 10.0100025]), 14);
    expect(samples.map((s) => s.tag)).toEqual([2, 1, 2, 1, 2]);
    expect(samples[2]!.t).toBe(10.006);
    expect(samples[4]!.t).toBe(10.0100025);
  });

  test("irregular streams deduce only a repeated time; values keep NaN; sizes are checked", () => {
    const samples = walk(chunk([5, 5, 6], 1, 0), 1);
    expect(samples.map((s) => s.tag)).toEqual([2, 1, 2]);
    const nan = encodeFloat32Chunk(Float32Array.of(NaN, 1), Float64Array.of(1), 2, 500);
    expect(Number.isNaN(new DataView(nan.buffer).getFloat32(9, true))).toBe(true);
    expect(() => encodeFloat32Chunk(new Float32Array(3), new Float64Array(1), 2, 500)).toThrow(
      RangeError,
    );
    expect(chunk([]).length).toBe(0);
  });
});

describe("encodeStringSample", () => {
  test("a marker is tag 2, f64 LE, then L=1, length, bytes (the captured marker-10)", () => {
    const captured = feeds[1]!.binary.subarray(26, 26 + 9 + 11);
    const t = new DataView(captured.buffer, captured.byteOffset + 1, 8).getFloat64(0, true);
    expect(hex(encodeStringSample(["marker-10"], t))).toBe(hex(captured));
  });
  test("lengths over 255 take L=4; UTF-8 bytes are counted, not characters", () => {
    const long = encodeStringSample(["x".repeat(300)], 1);
    expect([long[9], long[10], long[11], long[12], long[13]]).toEqual([4, 44, 1, 0, 0]);
    expect(long.length).toBe(9 + 5 + 300);
    const utf = encodeStringSample(["µV"], 1);
    expect([utf[9], utf[10]]).toEqual([1, 3]);
  });
});

test("deduction follows the inlet's own sums, so sub-µs errors cannot add up to a drift", () => {
  // each step is 0.6 µs long: alone within tolerance, but the third is 1.8 µs off the deduced time
  const times = [0, 0.0020006, 0.0040012, 0.0060018].map((t) => t + 100);
  const bytes = encodeFloat32Chunk(new Float32Array(4), Float64Array.from(times), 1, 500);
  const tags: number[] = [];
  for (let pos = 0; pos < bytes.length;) {
    tags.push(bytes[pos]!);
    pos += bytes[pos] === TAG_TRANSMITTED ? 13 : 5;
  }
  expect(tags).toEqual([2, 1, 2, 1]);
});
