/** @module Replays every reference vector through the WASM decoder: same packets, order, chunk, tail and stats. */
import { describe, expect, test } from "bun:test";
import { createDecoder } from "../../src/decoder/decoder.ts";
import { readDecoderWasm } from "../../src/adapters/wasm-file.ts";
import type { DecodedPacket } from "../../src/decoder/types.ts";
import {
  bytesToHex,
  hexToBytes,
  loadVectorFiles,
  type VectorCase,
  vectorNumber,
} from "../_support/vectors.ts";

const wasm = new WebAssembly.Module(await readDecoderWasm());
const files = loadVectorFiles();

/** Equal within 1e-9 relative; NaN equals NaN; zeros must agree in sign. */
function expectClose(actual: number, expected: number, what: string): void {
  if (Number.isNaN(expected)) {
    return void expect({ what, nan: Number.isNaN(actual) }).toEqual({ what, nan: true });
  }
  if (expected === 0) {
    return void expect({ what, value: Object.is(actual, expected) }).toEqual({ what, value: true });
  }
  const relative = Math.abs(actual - expected) / Math.abs(expected);
  if (!(relative <= 1e-9) && actual !== expected) {
    throw new Error(`${what}: got ${actual}, expected ${expected}`);
  }
}

async function replay(vector: VectorCase) {
  const decoder = await createDecoder(wasm);
  const input = hexToBytes(vector.input_hex);
  const emitted: { packet: DecodedPacket; chunk: number }[] = [];
  let at = 0;
  vector.chunk_sizes.forEach((size, chunk) => {
    for (const packet of decoder.push(input.subarray(at, at + size))) {
      emitted.push({ packet, chunk });
    }
    at += size;
  });
  return { emitted, stats: decoder.stats(), residual: bytesToHex(decoder.residual()), input };
}

function checkCase(vector: VectorCase, result: Awaited<ReturnType<typeof replay>>): void {
  const { expected } = vector;
  const kinds = result.emitted.map(({ packet }) => (packet.type === "eeg" ? "eeg" : "other"));
  expect(kinds).toEqual(expected.event_sequence.map(([kind]) => kind));
  const eeg = result.emitted.filter(({ packet }) => packet.type === "eeg");
  const other = result.emitted.filter(({ packet }) => packet.type === "event");
  expect(eeg.length).toBe(expected.eeg_packets.length);
  expect(other.length).toBe(expected.other_events.length);

  expected.eeg_packets.forEach((want, i) => {
    const { packet, chunk } = eeg[i]!;
    if (packet.type !== "eeg") throw new Error("unreachable");
    expect({ chunk, offset: packet.offset, counter: packet.counter, status: packet.featureStatus })
      .toEqual({
        chunk: want.chunk,
        offset: want.offset,
        counter: want.counter,
        status: want.feature_status,
      });
    expect(bytesToHex(result.input.subarray(packet.offset, packet.offset + 63))).toBe(want.raw_hex);
    expectClose(packet.ref, vectorNumber(want.ref), `${vector.name} eeg ${i} ref`);
    expectClose(packet.drl, vectorNumber(want.drl), `${vector.name} eeg ${i} drl`);
    want.channels.forEach((value, k) => {
      expectClose(packet.channels[k]!, vectorNumber(value), `${vector.name} eeg ${i} ch${k + 1}`);
    });
  });
  expected.other_events.forEach((want, i) => {
    const { packet, chunk } = other[i]!;
    if (packet.type !== "event") throw new Error("unreachable");
    expect({
      chunk,
      offset: packet.offset,
      eventId: packet.eventId,
      counter: packet.counter,
      raw: bytesToHex(packet.raw),
    })
      .toEqual({
        chunk: want.chunk,
        offset: want.offset,
        eventId: want.event_id,
        counter: want.counter,
        raw: want.raw_hex,
      });
  });
  expect(result.residual).toBe(expected.residual_hex);
  // the reference counts only EEG packets as valid and every failed window as invalid
  expect({ valid: result.stats.eegPackets, invalid: result.stats.checksumFailures }).toEqual({
    valid: expected.stats.valid_packets,
    invalid: expected.stats.invalid_packets,
  });
}

describe("createDecoder (reference vectors)", () => {
  test("index lists 353 cases and every file holds what it declares", () => {
    expect(files.reduce((sum, f) => sum + f.cases.length, 0)).toBe(353);
    for (const f of files) {
      expect({ file: f.file, cases: f.cases.length }).toEqual({ file: f.file, cases: f.declared });
    }
  });

  for (const { file, cases } of files) {
    test(`reproduces every case of ${file}`, async () => {
      for (const vector of cases) {
        try {
          checkCase(vector, await replay(vector));
        } catch (error) {
          throw new Error(`${file} / ${vector.name}: ${(error as Error).message}`);
        }
      }
      // the split files replay every case at many chunkings: ~1–2 s each idle, and past bun's 5-s
      // default with the cores shared by parallel workers; 60 s only catches a hang
    }, 60_000);
  }
});
