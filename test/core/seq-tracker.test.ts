/** @module SeqTracker: counter unwrapping, gaps, duplicates, reconnect estimation and skipped non-EEG packets. */
import { describe, expect, test } from "bun:test";
import type { Gap } from "../../src/core/samples.ts";
import { SeqTracker } from "../../src/core/seq-tracker.ts";
import type { CounterBatch, SeqAssignment } from "../../src/core/seq-tracker.ts";

const EEG = 239;

function chunk(counters: number[], eventIds?: number[]): CounterBatch {
  return {
    count: counters.length,
    counter: Uint8Array.from(counters),
    eventId: Uint8Array.from(eventIds ?? counters.map(() => EEG)),
  };
}

/** Plain copies of the reused result, so several results can be compared. */
function snap(
  a: SeqAssignment,
): { seq: number[]; index: number[]; gaps: Gap[]; duplicates: number; start: boolean } {
  return {
    seq: Array.from(a.seq.subarray(0, a.count)),
    index: Array.from(a.index.subarray(0, a.count)),
    gaps: [...a.gaps],
    duplicates: a.duplicates,
    start: a.connectionStart,
  };
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => (from + i) & 255);

describe("SeqTracker", () => {
  test("starts at 0 whatever the first counter is, and marks the connection start", () => {
    const t = new SeqTracker();
    expect(t.lastSeq).toBeNull();
    const a = snap(t.assign(chunk([200, 201]), 1000));
    expect(a).toEqual({ seq: [0, 1], index: [0, 1], gaps: [], duplicates: 0, start: true });
    expect(snap(t.assign(chunk([202]), 1002)).start).toBe(false);
    expect(t.lastSeq).toBe(2);
  });

  test("gives consecutive seqs across the counter wrap 254, 255, 0, 1", () => {
    const t = new SeqTracker();
    expect(snap(t.assign(chunk([254, 255, 0, 1]), 0)).seq).toEqual([0, 1, 2, 3]);
    expect(snap(t.assign(chunk([2, 3]), 4)).seq).toEqual([4, 5]);
  });

  test("jumps seq and reports a gap when counters 0, 1, 2, 5 skip two packets", () => {
    const t = new SeqTracker();
    const a = snap(t.assign(chunk([0, 1, 2, 5]), 0));
    expect(a.seq).toEqual([0, 1, 2, 5]);
    expect(a.gaps).toEqual([{
      index: 3,
      seq: 5,
      missing: 2,
      expectedCounter: 3,
      gotCounter: 5,
      estimated: false,
    }]);
    expect(t.gaps).toBe(1);
  });

  test("reports a gap at index 0 when it falls between chunks, and across the wrap", () => {
    const t = new SeqTracker();
    t.assign(chunk([250, 251, 252]), 0);
    const a = snap(t.assign(chunk([3, 4]), 30));
    expect(a.seq).toEqual([9, 10]);
    expect(a.gaps).toEqual([{
      index: 0,
      seq: 9,
      missing: 6,
      expectedCounter: 253,
      gotCounter: 3,
      estimated: false,
    }]);
  });

  test("reads a counter that went backwards as a gap mod 256", () => {
    const t = new SeqTracker();
    t.assign(chunk([10]), 0);
    const a = snap(t.assign(chunk([9]), 2));
    expect(a.seq).toEqual([255]);
    expect(a.gaps[0]).toMatchObject({ missing: 254, expectedCounter: 11, gotCounter: 9 });
  });

  test("drops and counts a duplicate 10, 10, 11 without advancing seq", () => {
    const t = new SeqTracker();
    const a = snap(t.assign(chunk([10, 10, 11]), 0));
    expect(a).toEqual({ seq: [0, 1], index: [0, 2], gaps: [], duplicates: 1, start: true });
    expect(snap(t.assign(chunk([11, 11, 12]), 6))).toMatchObject({
      seq: [2],
      index: [2],
      duplicates: 2,
    });
    expect(t.duplicates).toBe(3);
    expect(t.lastSeq).toBe(2);
  });

  test("skips non-EEG packets: their counters neither advance seq nor make gaps", () => {
    const t = new SeqTracker();
    const a = snap(t.assign(chunk([5, 77, 6, 200], [EEG, 100, EEG, 17]), 0));
    expect(a).toEqual({ seq: [0, 1], index: [0, 2], gaps: [], duplicates: 0, start: true });
    const none = t.assign(chunk([1, 2], [100, 100]), 10);
    expect(none.count).toBe(0);
    expect(t.lastSeq).toBe(1);
  });

  test("continues after a reconnect 1.0 s later at last + 1 + 500, with an estimated gap", () => {
    const t = new SeqTracker();
    t.assign(chunk(range(0, 5)), 10_000); // seq 0..4, the last sample sent at ≈ 10 000 ms
    t.startConnection();
    // the new first sample was sent 1.0 s after the one due at 10 002 ms; 4 more follow it in the chunk
    const arrival = 10_002 + 1000 + 4 * 2;
    const a = snap(t.assign(chunk(range(90, 5)), arrival));
    expect(a.seq).toEqual([505, 506, 507, 508, 509]);
    expect(a.start).toBe(true);
    expect(a.gaps).toEqual([{
      index: 0,
      seq: 505,
      missing: 500,
      expectedCounter: 5,
      gotCounter: 90,
      estimated: true,
    }]);
  });

  test("rounds the estimate to whole samples and tolerates a few ms of delivery noise", () => {
    const t = new SeqTracker();
    t.assign(chunk([0]), 0);
    t.startConnection();
    const a = snap(t.assign(chunk([42]), 2 + 1000 + 3.1)); // 1003.1 ms → 501.55 samples late
    expect(a.seq).toEqual([1 + 502]);
    expect(a.gaps[0]?.missing).toBe(502);
  });

  test("continues at last + 1 with no gap after an instant reconnect", () => {
    const t = new SeqTracker();
    t.assign(chunk(range(0, 3)), 5000);
    t.startConnection();
    const a = snap(t.assign(chunk(range(123, 3)), 5000 + 2 + 2 * 2));
    expect(a).toEqual({ seq: [3, 4, 5], index: [0, 1, 2], gaps: [], duplicates: 0, start: true });
  });

  test("never goes back when host time says the new connection started early", () => {
    const t = new SeqTracker();
    t.assign(chunk(range(0, 3)), 5000);
    t.startConnection();
    expect(snap(t.assign(chunk([7, 8]), 4000))).toMatchObject({ seq: [3, 4], gaps: [] });
  });

  test("shifts the counter gaps and ignores duplicates inside a reconnect's first chunk", () => {
    const t = new SeqTracker();
    t.assign(chunk([0]), 0);
    t.startConnection();
    // kept: 50 and 53 (50 repeated), three seq steps apart: 50 was sent 6 ms before the chunk arrived
    const a = snap(t.assign(chunk([50, 50, 53]), 2 + 1000 + 6));
    expect(a.seq).toEqual([501, 504]);
    expect(a.duplicates).toBe(1);
    expect(a.gaps).toEqual([
      { index: 0, seq: 501, missing: 500, expectedCounter: 1, gotCounter: 50, estimated: true },
      { index: 1, seq: 504, missing: 2, expectedCounter: 51, gotCounter: 53, estimated: false },
    ]);
  });

  test("does not treat the first counter of a new connection as a duplicate of the old last", () => {
    const t = new SeqTracker();
    t.assign(chunk([9]), 0);
    t.startConnection();
    expect(snap(t.assign(chunk([9]), 2))).toMatchObject({ seq: [1], duplicates: 0 });
  });

  test("waits for the first EEG chunk of a connection: chunks without EEG keep the reconnect pending", () => {
    const t = new SeqTracker();
    t.assign(chunk([0]), 0);
    t.startConnection();
    t.assign(chunk([3], [100]), 500);
    const a = snap(t.assign(chunk([60]), 2 + 1000));
    expect(a.start).toBe(true);
    expect(a.gaps[0]).toMatchObject({ missing: 500, estimated: true });
  });

  test("startConnection before the first chunk ever makes no gap", () => {
    const t = new SeqTracker();
    t.startConnection();
    expect(snap(t.assign(chunk([77, 78]), 123_456))).toMatchObject({
      seq: [0, 1],
      gaps: [],
      start: true,
    });
  });

  test("handles chunks larger than its scratch buffers", () => {
    const t = new SeqTracker();
    const counters = range(0, 1000);
    const a = t.assign(chunk(counters), 0);
    expect(a.count).toBe(1000);
    expect(a.seq[999]).toBe(999);
    expect(a.index[999]).toBe(999);
  });
});
