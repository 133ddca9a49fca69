/** @module toSampleBlock over the real WASM decoder: field-for-field copies, duplicates, non-EEG packets, seq and time. */
import { describe, expect, test } from "bun:test";
import { readDecoderWasm } from "../../src/adapters/wasm-file.ts";
import { createBlockBuilder, toSampleBlock } from "../../src/core/sample-blocks.ts";
import { SampleClock } from "../../src/core/sample-clock.ts";
import type { SampleBlock } from "../../src/core/samples.ts";
import { SeqTracker } from "../../src/core/seq-tracker.ts";
import { createDecoder } from "../../src/decoder/decoder.ts";
import type { PacketBatch } from "../../src/decoder/types.ts";
import { buildPacket } from "../../src/sources/packet-builder.ts";
import type { PacketFields } from "../../src/sources/packet-builder.ts";

const wasm = new WebAssembly.Module(await readDecoderWasm());
const LEAD_OFF = 8388607;
const T0_MS = 1_700_000_000_000;

function bytesOf(packets: PacketFields[]): Uint8Array {
  const out = new Uint8Array(packets.length * 63);
  packets.forEach((p, i) => out.set(buildPacket(p), i * 63));
  return out;
}

/** Plain copies of a batch's packets, taken inside the callback (the views are reused afterwards). */
interface Row {
  eventId: number;
  counter: number;
  ref: number;
  drl: number;
  channels: number[];
  leadOff: number;
  nonFinite: number;
  featureStatus: number;
}

function rowsOf(b: PacketBatch): Row[] {
  return Array.from({ length: b.count }, (_, i) => ({
    eventId: b.eventId[i]!,
    counter: b.counter[i]!,
    ref: b.ref[i]!,
    drl: b.drl[i]!,
    channels: Array.from(b.channels.subarray(i * 12, i * 12 + 12)),
    leadOff: b.leadOffMask[i]!,
    nonFinite: b.nonFiniteMask[i]!,
    featureStatus: b.featureStatus[i]!,
  }));
}

function rowsOfBlock(b: SampleBlock): Omit<Row, "eventId">[] {
  return Array.from({ length: b.count }, (_, j) => ({
    counter: b.counter[j]!,
    ref: b.ref[j]!,
    drl: b.drl[j]!,
    channels: Array.from(b.channels.subarray(j * 12, j * 12 + 12)),
    leadOff: b.leadOff[j]!,
    nonFinite: b.nonFinite[j]!,
    featureStatus: b.featureStatus[j]!,
  }));
}

/** Feeds chunks through one decoder and one tracker/clock; returns each chunk's batch rows and block. */
async function run(chunks: PacketFields[][], arrivals?: number[]) {
  const decoder = await createDecoder(wasm);
  const tracker = new SeqTracker();
  const clock = new SampleClock();
  const out: { rows: Row[]; block: SampleBlock | null }[] = [];
  chunks.forEach((packets, k) => {
    decoder.pushBatch(bytesOf(packets), (b) => {
      out.push({
        rows: rowsOf(b),
        block: toSampleBlock(b, arrivals?.[k] ?? T0_MS + 20 * k, tracker, clock),
      });
    });
  });
  return { out, tracker, clock };
}

const eeg = (counter: number, extra: Partial<PacketFields> = {}): PacketFields => ({
  counter,
  ref: counter * 0.5,
  drl: -counter,
  rawChannels: Array.from({ length: 12 }, (_, c) => counter * 1000 + c),
  featureStatus: counter % 7,
  ...extra,
});

describe("toSampleBlock", () => {
  test("copies every field of the EEG packets exactly as the decoder gives them", async () => {
    const packets = [
      eeg(1),
      eeg(2, { rawChannels: [LEAD_OFF, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, LEAD_OFF] }),
      eeg(3, { ref: Number.NaN, rawChannels: [Number.POSITIVE_INFINITY, 1] }),
      eeg(4, { drl: Number.NEGATIVE_INFINITY, featureStatus: 255 }),
    ];
    const { out } = await run([packets]);
    const [{ rows, block }] = out as [{ rows: Row[]; block: SampleBlock }];
    expect(block.count).toBe(4);
    // through JSON so NaN compares equal (both sides become null)
    expect(JSON.stringify(rowsOfBlock(block))).toBe(
      JSON.stringify(rows.map(({ eventId: _, ...r }) => r)),
    );
    expect(block.leadOff[1]).toBe(0b1000_0000_0001);
    expect(block.nonFinite[2]).toBe((1 << 12) | 1);
    expect(block.nonFinite[3]).toBe(1 << 13);
    expect(block.channels[12]).toBe(LEAD_OFF * 0.023842);
    expect([Number.isNaN(block.ref[2]), block.channels[24], block.drl[3]]).toEqual([
      true,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ]);
    expect(Array.from(block.seq)).toEqual([0, 1, 2, 3]);
    expect(block.arrivalMs).toBe(T0_MS);
    expect(block.gaps).toEqual([]);
    expect(block.duplicates).toBe(0);
  });

  test("stamps time from the clock, observed on the chunk's last seq first", async () => {
    const { out, clock } = await run([[eeg(1), eeg(2), eeg(3)], [eeg(4), eeg(5)]], [
      T0_MS,
      T0_MS + 4,
    ]);
    const second = out[1]!.block!;
    expect(clock.anchorSeq).toBe(4);
    expect(Array.from(second.time)).toEqual([clock.timeOf(3), clock.timeOf(4)]);
    expect(second.time[1]).toBeLessThanOrEqual((T0_MS + 4) / 1000); // never after its arrival
    const first = out[0]!.block!;
    expect(first.time[2]).toBe(T0_MS / 1000);
    expect(first.time[2]! - first.time[0]!).toBeCloseTo(0.004, 6);
    expect(second.time[0]).toBeGreaterThan(first.time[2]!);
  });

  test("drops duplicates and skips non-EEG packets, keeping the others in order", async () => {
    const { out, tracker } = await run([[
      eeg(10),
      eeg(10),
      { counter: 99, eventId: 100 },
      eeg(11),
      eeg(13),
    ]]);
    const [{ rows, block }] = out as [{ rows: Row[]; block: SampleBlock }];
    expect(rows.map((r) => r.eventId)).toEqual([239, 239, 100, 239, 239]);
    expect(Array.from(block.counter)).toEqual([10, 11, 13]);
    expect(Array.from(block.seq)).toEqual([0, 1, 3]);
    expect(block.duplicates).toBe(1);
    expect(block.gaps).toEqual([{
      index: 2,
      seq: 3,
      missing: 1,
      expectedCounter: 12,
      gotCounter: 13,
      estimated: false,
    }]);
    expect(JSON.stringify(rowsOfBlock(block))).toBe(
      JSON.stringify([0, 3, 4].map((i) => rows[i]!).map(({ eventId: _, ...r }) => r)),
    );
    expect(tracker.duplicates).toBe(1);
  });

  test("returns null for a chunk without EEG samples, and for one of duplicates only (still counted)", async () => {
    const { out, tracker } = await run([[eeg(1)], [{ counter: 5, eventId: 100 }], [eeg(1)]]);
    expect(out.map((o) => o.block === null)).toEqual([false, true, true]);
    expect(tracker.duplicates).toBe(1);
  });

  test("owns its arrays: later chunks (decoder views reused, many blocks built) leave a block intact", async () => {
    // 3000 chunks of 5 samples: far more than one 64-KB slab, so regions are carved and renewed
    const chunks = Array.from(
      { length: 3000 },
      (_, k) => Array.from({ length: 5 }, (_, i) => eeg((k * 5 + i) & 255)),
    );
    const { out } = await run(chunks);
    for (const k of [0, 1, 479, 1500, 2999]) {
      const { rows, block } = out[k]!;
      expect({
        k,
        same:
          JSON.stringify(rowsOfBlock(block!)) === JSON.stringify(rows.map(({ eventId: _, ...r }) =>
            r
          )),
      })
        .toEqual({ k, same: true });
      expect(Array.from(block!.seq)).toEqual([0, 1, 2, 3, 4].map((i) => k * 5 + i));
    }
    expect(out[0]!.block!.channels[0]).toBe(0);
    expect(out[0]!.block!.channels[12]).toBe(1000 * 0.023842);
  });

  test("createBlockBuilder bundles a tracker and clock per device and bridges a reconnect", async () => {
    const builder = createBlockBuilder();
    const decoder = await createDecoder(wasm);
    const blocks: (SampleBlock | null)[] = [];
    const feed = (packets: PacketFields[], at: number) =>
      decoder.pushBatch(bytesOf(packets), (b) => void blocks.push(builder.fromBatch(b, at)));
    builder.startConnection();
    feed([eeg(1), eeg(2)], T0_MS);
    builder.startConnection();
    decoder.reset();
    feed([eeg(200), eeg(201)], T0_MS + 2 + 1000 + 2); // 1 s after the next sample was due
    const [a, b] = blocks as [SampleBlock, SampleBlock];
    expect(Array.from(a.seq)).toEqual([0, 1]);
    expect(Array.from(b.seq)).toEqual([502, 503]);
    expect(b.gaps).toEqual([{
      index: 0,
      seq: 502,
      missing: 500,
      expectedCounter: 3,
      gotCounter: 200,
      estimated: true,
    }]);
    expect(b.time[0]! - a.time[1]!).toBeCloseTo(1.002, 2);
    expect(builder.tracker.lastSeq).toBe(503);
    expect(builder.clock.anchorSeq).toBe(503);
  });
});
