/** @module Behaviour of createDecoder beyond the vectors: flags, stats, batches, limits, chunking property. */
import { describe, expect, test } from "bun:test";
import { asDecoderExports } from "../../src/decoder/abi.ts";
import { createDecoder } from "../../src/decoder/decoder.ts";
import { readDecoderWasm } from "../../src/adapters/wasm-file.ts";
import type { DecodedPacket, Decoder } from "../../src/decoder/types.ts";
import { buildPacket } from "../../src/sources/packet-builder.ts";
import { concat } from "../_support/source-helpers.ts";
import { cleanStream, damagedStream, garbage, prng, randomChunks } from "../_support/streams.ts";

const wasm = new WebAssembly.Module(await readDecoderWasm());
const fresh = (): Promise<Decoder> => createDecoder(wasm);

/** A comparable summary; JSON turns NaN into null on both sides, so compare through it. */
function summary(packets: DecodedPacket[]): string {
  return JSON.stringify(
    packets.map((p) => (p.type === "eeg" ? p : { ...p, raw: Array.from(p.raw) })),
  );
}

describe("createDecoder", () => {
  test("flags the raw lead-off code per channel and still scales it", async () => {
    const decoder = await fresh();
    const raw = [8388607, 1000, -8388607, 8388608, 8388607];
    const [packet] = decoder.push(buildPacket({ counter: 1, rawChannels: raw }));
    if (packet?.type !== "eeg") throw new Error("expected an EEG packet");
    expect(packet.leadOff).toEqual([1, 5]);
    expect(packet.channels[0]).toBe(8388607 * 0.023842);
    expect(packet.channels[1]).toBe(1000 * 0.023842);
  });

  test("marks NaN and infinite fields and counts them without dropping the packet", async () => {
    const decoder = await fresh();
    const packets = decoder.push(concat([
      buildPacket({ counter: 1, ref: NaN, rawChannels: [Infinity, 0, -Infinity] }),
      buildPacket({ counter: 2, rawChannels: [1, 2, 3] }),
    ]));
    expect(packets.map((p) => p.type === "eeg" && p.nonFinite)).toEqual([true, false]);
    expect(decoder.stats().nonFiniteValues).toBe(3);
    const first = packets[0]!;
    if (first.type !== "eeg") throw new Error("expected EEG");
    expect(Number.isNaN(first.ref)).toBe(true);
    expect(first.channels.slice(0, 3)).toEqual([Infinity, 0, -Infinity]);
  });

  test("counts counter gaps as lost and repeats as duplicates, across calls", async () => {
    const decoder = await fresh();
    for (const counter of [254, 255, 0, 3, 3, 4]) decoder.push(buildPacket({ counter }));
    expect(decoder.stats()).toMatchObject({ eegPackets: 6, lostPackets: 2, duplicatePackets: 1 });
  });

  test("returns other events raw and keeps them out of the counter accounting", async () => {
    const decoder = await fresh();
    const event = buildPacket({ counter: 77, eventId: 100, featureStatus: 9 });
    const packets = decoder.push(
      concat([buildPacket({ counter: 1 }), event, buildPacket({ counter: 2 })]),
    );
    expect(packets.map((p) => p.type)).toEqual(["eeg", "event", "eeg"]);
    const other = packets[1]!;
    if (other.type !== "event") throw new Error("expected an event");
    expect({ id: other.eventId, counter: other.counter, offset: other.offset }).toEqual({
      id: 100,
      counter: 77,
      offset: 63,
    });
    expect(Array.from(other.raw)).toEqual(Array.from(event));
    expect(decoder.stats()).toMatchObject({ eegPackets: 2, eventPackets: 1, lostPackets: 0 });
  });

  test("counts skipped bytes and failed windows while resynchronising", async () => {
    const decoder = await fresh();
    const bad = buildPacket({ counter: 1 });
    bad[20] = bad[20]! ^ 0xff;
    decoder.push(concat([Uint8Array.of(1, 2, 3), bad, buildPacket({ counter: 2 })]));
    // 3 junk bytes, then the damaged packet: its failed window slides 1 byte, the other 62 are skipped
    expect(decoder.stats()).toMatchObject({
      eegPackets: 1,
      checksumFailures: 1,
      bytesSkipped: 3 + 63,
      bytesIn: 3 + 126,
    });
  });

  test("decodes a chunk far larger than the input area without losing packets at block edges", async () => {
    const decoder = await fresh();
    const stream = cleanStream(40_000, prng(7)); // 2.5 MB: many internal blocks
    const packets = decoder.push(stream);
    expect(packets.length).toBe(40_000);
    expect(packets.every((p, i) => p.counter === (i & 0xff) && p.offset === i * 63)).toBe(true);
    expect(decoder.stats()).toMatchObject({
      eegPackets: 40_000,
      lostPackets: 0,
      checksumFailures: 0,
    });
  });

  test("pushBatch exposes the same packets as push without allocating objects", async () => {
    const [a, b] = [await fresh(), await fresh()];
    const stream = damagedStream(3000, prng(11));
    const viaPush = a.push(stream).filter((p) => p.type === "eeg");
    const counters: number[] = [];
    const ch7: number[] = [];
    const total = b.pushBatch(stream, (batch) => {
      for (let i = 0; i < batch.count; i++) {
        if (batch.eventId[i] !== 239) continue;
        counters.push(batch.counter[i]!);
        ch7.push(batch.channels[i * 12 + 6]!);
      }
    });
    expect(total).toBe(a.stats().eegPackets + a.stats().eventPackets);
    expect(counters).toEqual(viaPush.map((p) => p.counter));
    expect(ch7).toEqual(viaPush.map((p) => (p.type === "eeg" ? p.channels[6]! : NaN)));
  });

  test("reset forgets the tail, the counter history and the statistics", async () => {
    const decoder = await fresh();
    const packet = buildPacket({ counter: 9 });
    decoder.push(packet.subarray(0, 40));
    expect(decoder.residual().length).toBe(40);
    decoder.reset();
    expect(decoder.residual().length).toBe(0);
    expect(decoder.stats().bytesIn).toBe(0);
    expect(decoder.push(packet.subarray(40))).toEqual([]);
    expect(decoder.push(packet).map((p) => p.offset)).toEqual([23]);
  });

  test("discardTail drops the partial packet but keeps stats and counter history", async () => {
    const decoder = await fresh();
    const cut = concat([
      buildPacket({ counter: 10 }),
      buildPacket({ counter: 11 }).subarray(0, 25),
    ]);
    decoder.push(cut);
    const before = decoder.stats();
    expect(decoder.discardTail()).toBe(25);
    expect(decoder.residual().length).toBe(0);
    expect(decoder.stats()).toEqual({ ...before, bytesSkipped: before.bytesSkipped + 25 });
    // the next connection starts on a packet boundary: no checksum failure, the jump 10 → 0 is lost
    const next = decoder.push(concat([buildPacket({ counter: 0 }), buildPacket({ counter: 1 })]));
    expect(next.map((p) => [p.counter, p.offset])).toEqual([[0, 88], [1, 151]]);
    expect(decoder.stats()).toMatchObject({
      eegPackets: 3,
      checksumFailures: 0,
      lostPackets: 245,
      duplicatePackets: 0,
    });
    expect(decoder.discardTail()).toBe(0);
  });

  test("refuses an ABI 1 module built before discard_tail existed", () => {
    const old = { abi_version: () => 1, memory: new WebAssembly.Memory({ initial: 1 }) };
    expect(() => asDecoderExports(old)).toThrow(/discard_tail/);
  });

  test("without discardTail the same bytes fail checksums", async () => {
    const decoder = await fresh();
    decoder.push(
      concat([buildPacket({ counter: 10 }), buildPacket({ counter: 11 }).subarray(0, 25)]),
    );
    decoder.push(concat([buildPacket({ counter: 0 }), buildPacket({ counter: 1 })]));
    expect(decoder.stats().checksumFailures).toBeGreaterThan(0);
  });

  test("instances never share state", async () => {
    const [a, b] = [await fresh(), await fresh()];
    a.push(buildPacket({ counter: 1 }).subarray(0, 10));
    expect(b.residual().length).toBe(0);
    expect(b.push(buildPacket({ counter: 1 })).length).toBe(1);
  });
});

describe("createDecoder (chunking property)", () => {
  const kinds = {
    clean: (r: () => number) => cleanStream(200, r),
    damaged: (r: () => number) => damagedStream(300, r),
    garbage: (r: () => number) => garbage(8000, r),
  };
  for (const [kind, make] of Object.entries(kinds)) {
    test(
      `any chunking of a ${kind} stream gives the same packets, tail and stats as one call`,
      async () => {
        for (let seed = 1; seed <= 40; seed++) {
          const random = prng(seed * 7919);
          const stream = make(random);
          const whole = await fresh();
          const expected = summary(whole.push(stream));
          const chunked = await fresh();
          const got: DecodedPacket[] = [];
          for (const chunk of randomChunks(stream, random, seed % 2 ? 7 : 700)) {
            got.push(...chunked.push(chunk));
          }
          const context = `${kind} seed ${seed}`;
          expect({ context, packets: summary(got) }).toEqual({ context, packets: expected });
          expect({ context, tail: Array.from(chunked.residual()) }).toEqual({
            context,
            tail: Array.from(whole.residual()),
          });
          expect({ context, stats: chunked.stats() }).toEqual({ context, stats: whole.stats() });
        }
        // ~2–4 s idle (40 seeded chunkings, to 7-byte pieces), past bun's 5-s default under
        // load; 60 s only catches a hang
      },
      60_000,
    );
  }
});
