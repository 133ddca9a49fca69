/** @module eeg_batch JSON serialisation: field order and values, channel selection, lead_off, nulls, device_id. */
import { describe, expect, test } from "bun:test";
import { CHANNELS } from "../../src/core/samples.ts";
import type { SampleBatch } from "../../src/core/samples.ts";
import { eegBatchJson } from "../../src/protocol/encoders/eeg-batch-json.ts";

const ALL = Array.from({ length: CHANNELS }, (_, c) => c + 1);

/** A batch whose every value is predictable from its position; `edit` may overwrite values. */
function makeBatch(count: number, edit?: (b: SampleBatch) => void): SampleBatch {
  const batch: SampleBatch = {
    firstSeq: 12000,
    count,
    decimate: 2,
    sampleRate: 250,
    time: Float64Array.from({ length: count }, (_, i) => 1700000000.123456 + i * 0.004),
    counter: Uint8Array.from({ length: count }, (_, i) => (250 + 2 * i) & 0xff),
    ref: Float64Array.from({ length: count }, (_, i) => 1.5 + i),
    drl: Float64Array.from({ length: count }, (_, i) => -2.25 - i),
    channels: Float64Array.from(
      { length: CHANNELS * count },
      (_, j) => (Math.floor(j / count) + 1) * 10 + (j % count) * 0.1,
    ),
    leadOff: new Uint16Array(count),
    nonFinite: new Uint16Array(count),
  };
  edit?.(batch);
  return batch;
}

// deno-lint-ignore no-explicit-any
const parse = (s: string): any => JSON.parse(s);

describe("eegBatchJson", () => {
  test("writes the envelope and every §2.2 field in order with the batch's values", () => {
    const batch = makeBatch(3);
    const msg = parse(
      eegBatchJson(batch, { id: "6f1c2a9e-0000-4000-8000-000000000001", channels: ALL }),
    );
    expect(Object.keys(msg)).toEqual(["id", "type", "data"]);
    expect(msg.id).toBe("6f1c2a9e-0000-4000-8000-000000000001");
    expect(msg.type).toBe("eeg_batch");
    expect(Object.keys(msg.data)).toEqual([
      "first_seq",
      "count",
      "sample_rate",
      "decimate",
      "timestamps",
      "counters",
      "ref",
      "drl",
      "channels",
      "lead_off",
    ]);
    const channels: Record<string, number[]> = {};
    for (let c = 0; c < CHANNELS; c++) {
      channels[`ch${c + 1}`] = Array.from(batch.channels.subarray(c * 3, c * 3 + 3));
    }
    expect(msg.data).toEqual({
      first_seq: 12000,
      count: 3,
      sample_rate: 250,
      decimate: 2,
      timestamps: Array.from(batch.time),
      counters: [250, 252, 254],
      ref: [1.5, 2.5, 3.5],
      drl: [-2.25, -3.25, -4.25],
      channels,
      lead_off: [],
    });
    expect(Object.keys(msg.data.channels)).toEqual(ALL.map((c) => `ch${c}`));
  });

  test("keeps timestamps and large seq values at full precision when they need all 17 digits", () => {
    const batch = makeBatch(2, (b) => {
      (b as { firstSeq: number }).firstSeq = 2 ** 52 + 1;
      b.time[0] = 1700000000.1234567;
      b.time[1] = 0.1 + 0.2;
    });
    const msg = parse(eegBatchJson(batch, { id: "a", channels: [1] }));
    expect(msg.data.first_seq).toBe(2 ** 52 + 1);
    expect(msg.data.timestamps[0]).toBe(1700000000.1234567);
    expect(msg.data.timestamps[1]).toBe(0.1 + 0.2);
  });

  test("sends only the selected channels, ascending, with their own values when a subset is asked for", () => {
    const batch = makeBatch(4);
    const msg = parse(eegBatchJson(batch, { id: "a", channels: [2, 5, 12] }));
    expect(Object.keys(msg.data.channels)).toEqual(["ch2", "ch5", "ch12"]);
    expect(msg.data.channels.ch2).toEqual([20, 20.1, 20.2, 20.3]);
    expect(msg.data.channels.ch5).toEqual(Array.from(batch.channels.subarray(4 * 4, 5 * 4)));
    expect(msg.data.channels.ch12).toEqual(Array.from(batch.channels.subarray(11 * 4, 12 * 4)));
  });

  test("lists lead_off as the union over all samples, ascending, including unselected channels", () => {
    const batch = makeBatch(3, (b) => {
      b.leadOff[0] = 1 << 6; // ch7
      b.leadOff[2] = (1 << 11) | (1 << 2); // ch12, ch3
    });
    expect(parse(eegBatchJson(batch, { id: "a", channels: [3] })).data.lead_off).toEqual([
      3,
      7,
      12,
    ]);
    expect(parse(eegBatchJson(makeBatch(3), { id: "a", channels: [3] })).data.lead_off).toEqual([]);
  });

  test("writes null for NaN and ±Infinity in channels, ref and drl whether or not nonFinite bits say so", () => {
    for (const flagged of [true, false]) {
      const batch = makeBatch(3, (b) => {
        b.channels[0] = Number.NaN; // ch1 sample 0
        b.channels[3 + 1] = Number.POSITIVE_INFINITY; // ch2 sample 1
        b.channels[11 * 3 + 2] = Number.NEGATIVE_INFINITY; // ch12 sample 2
        b.ref[1] = Number.NaN;
        b.drl[2] = Number.POSITIVE_INFINITY;
        if (flagged) {
          b.nonFinite[0] = 1;
          b.nonFinite[1] = (1 << 1) | (1 << 12);
          b.nonFinite[2] = (1 << 11) | (1 << 13);
        }
      });
      const text = eegBatchJson(batch, { id: "a", channels: ALL });
      const msg = parse(text);
      expect(msg.data.channels.ch1).toEqual([null, 10.1, 10.2]);
      expect(msg.data.channels.ch2).toEqual([20, null, 20.2]);
      expect(msg.data.channels.ch12).toEqual([120, 120.1, null]);
      expect(msg.data.ref).toEqual([1.5, null, 3.5]);
      expect(msg.data.drl).toEqual([-2.25, -3.25, null]);
      expect(text).not.toMatch(/NaN|Infinity/);
    }
  });

  test("writes null for a non-finite timestamp so the message still parses", () => {
    const batch = makeBatch(2, (b) => void (b.time[1] = Number.NaN));
    expect(parse(eegBatchJson(batch, { id: "a", channels: [1] })).data.timestamps).toEqual([
      1700000000.123456,
      null,
    ]);
  });

  test("appends device_id as the last field when given and omits it otherwise", () => {
    const withId = parse(eegBatchJson(makeBatch(1), { id: "a", channels: [1], deviceId: "sim-2" }));
    expect(Object.keys(withId.data).at(-1)).toBe("device_id");
    expect(withId.data.device_id).toBe("sim-2");
    expect("device_id" in parse(eegBatchJson(makeBatch(1), { id: "a", channels: [1] })).data).toBe(
      false,
    );
  });

  test("escapes id and device_id when they contain quotes or control characters", () => {
    const msg = parse(
      eegBatchJson(makeBatch(1), { id: 'x"y\\z', channels: [1], deviceId: "a\nb" }),
    );
    expect(msg.id).toBe('x"y\\z');
    expect(msg.data.device_id).toBe("a\nb");
  });

  test("throws RangeError when the channel selection is empty, unsorted, repeated or out of 1..12", () => {
    for (const channels of [[], [3, 2], [2, 2], [0, 1], [1, 13], [1.5], ALL.concat([12])]) {
      expect(() => eegBatchJson(makeBatch(2), { id: "a", channels })).toThrow(RangeError);
    }
  });

  test("throws RangeError when the batch is empty or its arrays are shorter than count", () => {
    expect(() => eegBatchJson(makeBatch(0), { id: "a", channels: [1] })).toThrow(RangeError);
    const short = { ...makeBatch(3), channels: new Float64Array(CHANNELS * 3 - 1) };
    expect(() => eegBatchJson(short, { id: "a", channels: [1] })).toThrow(RangeError);
  });
});
