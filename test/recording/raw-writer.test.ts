/** @module The raw recording format: link bytes unchanged, and boundary records that keep a reconnect replayable. */
import { describe, expect, test } from "bun:test";
import { readDecoderWasm } from "../../src/adapters/wasm-file.ts";
import { createDecoder } from "../../src/decoder/decoder.ts";
import {
  createRawWriter,
  rawBoundaryRecord,
  rawBoundaryRecordFor,
} from "../../src/recording/raw-writer.ts";
import { splitCapture } from "../../src/recording/capture-format.ts";
import { simPackets } from "../../src/sources/sim.ts";
import { concat, sameBytes } from "../_support/source-helpers.ts";

const PACKET = 63;

/** Feeds `chunks` through a raw writer, taking now and then, and returns the whole file. */
function record(chunks: Uint8Array[], takeEvery = 3): Uint8Array {
  const w = createRawWriter();
  const out: Uint8Array[] = [];
  expect(w.start({} as never)).toBeNull();
  chunks.forEach((c, k) => {
    w.raw(c);
    if (k % takeEvery === 0) out.push(w.take() ?? new Uint8Array(0));
  });
  const { tail, patches } = w.finish();
  expect(patches).toEqual([]);
  if (tail) out.push(tail);
  return concat(out);
}

describe("createRawWriter", () => {
  test("returns the link bytes unchanged and in order when chunks of any size arrive", () => {
    const stream = simPackets(3, 0, 2000);
    const chunks: Uint8Array[] = [];
    for (let at = 0, k = 0; at < stream.length; k++) {
      const size = [1, 62, 63, 64, 500, 40_000][k % 6]!;
      chunks.push(stream.slice(at, at + size));
      at += size;
    }
    const file = record(chunks);
    expect(file.length).toBe(stream.length);
    expect(sameBytes(file, stream)).toBe(true);
  });

  test("keeps its own copy when the caller reuses a chunk's buffer", () => {
    const w = createRawWriter();
    const reused = new Uint8Array([1, 2, 3]);
    w.raw(reused);
    reused.set([7, 8, 9]);
    w.raw(reused);
    expect(Array.from(w.take()!)).toEqual([1, 2, 3, 7, 8, 9]);
    expect(w.take()).toBeNull();
    expect(w.figures()).toEqual({ bytes: 6, clipped: 0 });
    expect(w.pendingSamples).toBe(0);
  });
});

describe("rawBoundaryRecord", () => {
  // the first connection ends 17 bytes into a packet, as a dropped link does
  const first = simPackets(5, 0, 40).subarray(0, 40 * PACKET - (PACKET - 17));
  const second = simPackets(5, 90, 40);

  test("splits back into the original link chunks when a record separates two connections", () => {
    const file = record([first, rawBoundaryRecord(2, 1_767_225_600_123), second], 1);
    const { data, marks } = splitCapture(file);
    expect(marks).toEqual([{
      at: first.length,
      boundary: { kind: "boundary", connection: 2, startedAtMs: 1_767_225_600_123 },
    }]);
    expect(sameBytes(data.subarray(0, marks[0]!.at), first)).toBe(true);
    expect(sameBytes(data.subarray(marks[0]!.at), second)).toBe(true);
  });

  test("replays without checksum failures when the unfinished packet is dropped at the record", async () => {
    const decode = async (file: Uint8Array) => {
      const decoder = await createDecoder(await readDecoderWasm());
      const { data, marks } = splitCapture(file);
      let at = 0;
      for (const mark of [...marks, { at: data.length }]) {
        decoder.push(data.subarray(at, mark.at));
        if (mark.at < data.length) decoder.discardTail();
        at = mark.at;
      }
      return decoder.stats();
    };
    const withRecord = await decode(record([first, rawBoundaryRecord(2, 1), second]));
    expect(withRecord.checksumFailures).toBe(0);
    expect(withRecord.eegPackets).toBe(39 + 40);
    // the same bytes without the record glue the cut packet to the next connection
    const without = await decode(record([first, second]));
    expect(without.checksumFailures).toBeGreaterThan(0);
  });

  test("uses the recorded time of a replayed boundary, or the fallback when it has none", () => {
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    expect(
      text(rawBoundaryRecordFor({ kind: "boundary", connection: 7, startedAtMs: 1234 }, 3, 99)),
    ).toBe(
      "\n#mw75-capture v1 connection=3 unix_ms=1234\n",
    );
    expect(
      text(rawBoundaryRecordFor({ kind: "boundary", connection: 7, startedAtMs: null }, 3, 99)),
    ).toBe(
      "\n#mw75-capture v1 connection=3 unix_ms=99\n",
    );
    expect(() => rawBoundaryRecord(0, 1)).toThrow(RangeError);
  });
});
