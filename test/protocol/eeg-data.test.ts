/** @module eeg_data serialisation from sample blocks: shape, seq, lead_off, and valid JSON for non-finite values. */
import { describe, expect, test } from "bun:test";
import { readDecoderWasm } from "../../src/adapters/wasm-file.ts";
import { createDecoder } from "../../src/decoder/decoder.ts";
import { createBlockBuilder } from "../../src/core/sample-blocks.ts";
import type { PacketBatch } from "../../src/decoder/types.ts";
import { eegDataMessages } from "../../src/protocol/encoders/eeg-data.ts";
import { jsonNumber } from "../../src/protocol/encoders/json-values.ts";
import { buildPacket } from "../../src/sources/packet-builder.ts";

async function encode(packets: Uint8Array[]): Promise<unknown[]> {
  const decoder = await createDecoder(await readDecoderWasm());
  const out: unknown[] = [];
  const bytes = new Uint8Array(packets.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of packets) {
    bytes.set(p, at);
    at += p.length;
  }
  const blocks = createBlockBuilder();
  blocks.startConnection();
  decoder.pushBatch(bytes, (b: PacketBatch) => {
    const block = blocks.fromBatch(b, 1_700_000_000_500);
    if (block !== null) {
      for (const text of eegDataMessages(block, () => "id-1")) out.push(JSON.parse(text));
    }
  });
  return out;
}

describe("eegDataMessages", () => {
  test("envelope and fields match the protocol, channels scaled to µV, lead_off from the raw sentinel", async () => {
    const [msg] = (await encode([
      buildPacket({
        counter: 9,
        ref: 1.5,
        drl: -2.25,
        rawChannels: [1000, 0, 8388607, 0, 0, 0, 0, 0, 0, 0, 0, 8388607],
        featureStatus: 3,
      }),
      // deno-lint-ignore no-explicit-any -- parsed JSON that the test walks field by field
    ])) as any[];
    expect(msg.id).toBe("id-1");
    expect(msg.type).toBe("eeg_data");
    expect(msg.data).toMatchObject({
      timestamp: 1700000000.5,
      event_id: 239,
      counter: 9,
      seq: 0,
      ref: 1.5,
      drl: -2.25,
      feature_status: 3,
      lead_off: [3, 12],
    });
    // the base fields keep their order; seq sits next to counter
    expect(Object.keys(msg.data)).toEqual([
      "timestamp",
      "event_id",
      "counter",
      "seq",
      "ref",
      "drl",
      "channels",
      "feature_status",
      "lead_off",
    ]);
    expect(msg.data.channels.ch1).toBe(23.842);
    expect(msg.data.channels.ch3).toBe(8388607 * 0.023842);
    expect(Object.keys(msg.data.channels)).toEqual(
      Array.from({ length: 12 }, (_, i) => `ch${i + 1}`),
    );
  });

  test("NaN and ±Infinity become null, so the message is still valid JSON", async () => {
    const msgs = (await encode([
      buildPacket({
        counter: 1,
        ref: Number.NaN,
        rawChannels: [Number.POSITIVE_INFINITY, Number.NaN, 5],
      }),
      buildPacket({ counter: 2, drl: Number.NEGATIVE_INFINITY }),
      // deno-lint-ignore no-explicit-any -- parsed JSON that the test walks field by field
    ])) as any[];
    expect(msgs).toHaveLength(2);
    expect(msgs[0].data.ref).toBeNull();
    expect(msgs[0].data.channels.ch1).toBeNull();
    expect(msgs[0].data.channels.ch2).toBeNull();
    expect(msgs[0].data.channels.ch3).toBeCloseTo(5 * 0.023842, 12);
    expect(msgs[1].data.drl).toBeNull();
    expect(msgs.map((m) => m.data.seq)).toEqual([0, 1]);
    expect(jsonNumber(Number.NaN)).toBe("null");
    expect(jsonNumber(-0.5)).toBe("-0.5");
  });
});
