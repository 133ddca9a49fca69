/** @module The capture file's boundary records: writing them, and the streaming splitter that finds them. */
import { describe, expect, test } from "bun:test";
import type { LinkChunk } from "../../src/ports/device-source.ts";
import {
  captureRecord,
  createCaptureSplitter,
  MAX_RECORD_LEN,
  splitCapture,
} from "../../src/recording/capture-format.ts";
import { simPackets } from "../../src/sources/sim.ts";
import { concat } from "../_support/source-helpers.ts";

const text = (s: string) => new TextEncoder().encode(s);

/** Runs the splitter over `chunks` and merges adjacent data pieces, so results compare across chunkings. */
function split(
  chunks: Uint8Array[],
): Array<number[] | { connection: number; startedAtMs: number | null }> {
  const splitter = createCaptureSplitter();
  const pieces: LinkChunk[] = [];
  for (const c of chunks) pieces.push(...splitter.push(c));
  pieces.push(...splitter.end());
  const out: Array<number[] | { connection: number; startedAtMs: number | null }> = [];
  for (const p of pieces) {
    const last = out.at(-1);
    if (!(p instanceof Uint8Array)) {
      out.push({ connection: p.connection, startedAtMs: p.startedAtMs });
    } else if (Array.isArray(last)) last.push(...p);
    else out.push(Array.from(p));
  }
  return out;
}

describe("captureRecord", () => {
  test("writes the documented ASCII line with a newline on both sides and no sync byte", () => {
    const record = captureRecord(2, 1_700_000_000_123.7);
    expect(new TextDecoder().decode(record)).toBe(
      "\n#mw75-capture v1 connection=2 unix_ms=1700000000123\n",
    );
    expect(record.includes(0xaa)).toBe(false);
    expect(record.length).toBeLessThanOrEqual(MAX_RECORD_LEN);
  });

  test("refuses numbers a reader could not parse back", () => {
    expect(() => captureRecord(0, 1)).toThrow(RangeError);
    expect(() => captureRecord(1.5, 1)).toThrow(RangeError);
    expect(() => captureRecord(1, -1)).toThrow(RangeError);
    expect(() => captureRecord(1, Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => captureRecord(1, 1e15)).toThrow(RangeError);
  });
});

describe("createCaptureSplitter", () => {
  const a = simPackets(3, 0, 3).subarray(0, 150); // ends mid-packet, as a dropped link does
  const b = simPackets(3, 0, 2);
  const record = captureRecord(2, 1_700_000_000_000);
  const file = concat([a, record, b]);
  const expected = [
    Array.from(a),
    { connection: 2, startedAtMs: 1_700_000_000_000 },
    Array.from(b),
  ];

  test("separates data and a record in one push", () => {
    expect(split([file])).toEqual(expected);
  });

  test("finds a record split at every byte position, into two or into single bytes", () => {
    for (let cut = 0; cut <= file.length; cut++) {
      expect({ cut, got: split([file.subarray(0, cut), file.subarray(cut)]) }).toEqual({
        cut,
        got: expected,
      });
    }
    expect(split(Array.from(file, (x) => Uint8Array.of(x)))).toEqual(expected);
  });

  test("holds back only bytes that can still start a record", () => {
    const splitter = createCaptureSplitter();
    const out = splitter.push(concat([a, record.subarray(0, 20)]));
    expect(out).toHaveLength(1);
    expect((out[0] as Uint8Array).length).toBe(a.length); // the record's first 20 bytes wait
    // the held bytes turn out to be no record, but the new "\n#mw" still might start one
    const data = splitter.push(text("\n#mw"));
    expect(data.map((p) => (p instanceof Uint8Array ? p.length : "boundary"))).toEqual([20]);
    expect(splitter.end().map((p) => (p as Uint8Array).length)).toEqual([4]);
  });

  test("several records, back to back and at the start and the end of the stream", () => {
    const r1 = captureRecord(1, 5);
    const r3 = captureRecord(3, 7);
    const r4 = captureRecord(4, 0);
    const got = split([concat([r1, a, record, r3, b, r4])]);
    expect(got).toEqual([
      { connection: 1, startedAtMs: 5 },
      Array.from(a),
      { connection: 2, startedAtMs: 1_700_000_000_000 },
      { connection: 3, startedAtMs: 7 },
      Array.from(b),
      { connection: 4, startedAtMs: 0 },
    ]);
  });

  test("malformed records stay data, byte for byte", () => {
    const bad = [
      "\n#mw75-capture v2 connection=2 unix_ms=1\n", // unknown version
      "\n#mw75-capture v1 connection=0 unix_ms=1\n", // connections count from 1
      "\n#mw75-capture v1 connection=x unix_ms=1\n",
      "\n#mw75-capture v1 connection=2 unix_ms=\n",
      "\n#mw75-capture v1 connection=2 unix_ms=12 extra\n",
      "\n#mw75-capture v1 connection=2\n",
      `\n#mw75-capture v1 connection=2 unix_ms=${"9".repeat(16)}\n`, // more digits than any valid record
      `\n#mw75-capture v1 connection=${"1".repeat(200)}`, // no newline within the longest record
      "\n#mw75-capture v1 connection=2 unix_ms=1", // cut off by the end of the stream
    ];
    for (const line of bad) {
      const bytes = concat([a, text(line), b]);
      for (const cut of [0, a.length + 5, a.length + 30, bytes.length]) {
        expect({ line, cut, got: split([bytes.subarray(0, cut), bytes.subarray(cut)]) }).toEqual({
          line,
          cut,
          got: [Array.from(bytes)],
        });
      }
    }
  });

  test("a malformed record does not hide a valid one right after it", () => {
    const bytes = concat([text("\n#mw75-capture v1 connection=9"), record, b]);
    expect(split([bytes])).toEqual([
      Array.from(text("\n#mw75-capture v1 connection=9")),
      expected[1]!,
      Array.from(b),
    ]);
  });

  test("a stream without records comes out unchanged, in the pushes that delivered it", () => {
    const bytes = simPackets(9, 0, 500); // random payloads: plenty of 0x0A bytes
    expect(bytes.includes(0x0a)).toBe(true);
    const splitter = createCaptureSplitter();
    const pieces = [
      ...splitter.push(bytes.subarray(0, 1000)),
      ...splitter.push(bytes.subarray(1000)),
    ];
    expect(splitter.end()).toEqual([]);
    expect(pieces.every((p) => p instanceof Uint8Array)).toBe(true);
    expect(Array.from(concat(pieces as Uint8Array[]))).toEqual(Array.from(bytes));
  });
});

describe("splitCapture", () => {
  test("returns the data bytes joined and each marker's offset in them", () => {
    const a = simPackets(1, 0, 2).subarray(0, 100);
    const b = simPackets(1, 0, 1);
    const { data, marks } = splitCapture(
      concat([a, captureRecord(2, 42), b, captureRecord(3, 43)]),
    );
    expect(Array.from(data)).toEqual(Array.from(concat([a, b])));
    expect(marks).toEqual([
      { at: 100, boundary: { kind: "boundary", connection: 2, startedAtMs: 42 } },
      { at: 163, boundary: { kind: "boundary", connection: 3, startedAtMs: 43 } },
    ]);
  });

  test("hands back the same buffer when the file has no record", () => {
    const bytes = simPackets(1, 0, 10);
    const { data, marks } = splitCapture(bytes);
    expect(data).toBe(bytes);
    expect(marks).toEqual([]);
  });
});
