/** @module Finalising files cut short by a crash: record count, patch and truncation point. */
import { describe, expect, test } from "bun:test";
import { planEdfRecovery } from "../../src/recording/edf-recovery.ts";
import { createBdfWriter, createEdfWriter } from "../../src/recording/edf-writer.ts";
import {
  joinBytes,
  makeBlock,
  parseEdf,
  physical,
  range,
  runWriter,
  testInfo,
} from "./edf-reader.ts";

/** A file as a crash leaves it: header and every record taken so far, record count still -1. */
function crashed(make: typeof createBdfWriter, samples: number): Uint8Array {
  const w = make();
  const parts = [w.start(testInfo())];
  for (let at = 0; at < samples; at += 123) {
    w.samples(makeBlock(range(at, Math.min(samples, at + 123)), (seq, s) => (seq % 1000) + s)); // within EDF's ±3276.7 µV
    parts.push(w.take());
  }
  return joinBytes(parts);
}

/** A small deterministic generator, so a failing cut can be reproduced. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe("planEdfRecovery", () => {
  for (
    const [name, make, recordBytes] of [["bdf", createBdfWriter, 14 * 1500 + 768], [
      "edf",
      createEdfWriter,
      14 * 1000 + 768,
    ]] as const
  ) {
    test(`finds the complete records when a ${name} file is cut at random lengths`, () => {
      const full = crashed(make, 8 * 500 + 200); // 8 records out, 200 samples lost with the crash
      expect(full.length).toBe(4096 + 8 * recordBytes);
      const next = lcg(name === "bdf" ? 1 : 2);
      const cuts = [
        4096,
        4096 + recordBytes - 1,
        4096 + recordBytes,
        full.length,
        ...Array.from({ length: 40 }, () => 4096 + Math.floor(next() * (full.length - 4096))),
      ];
      for (const cut of cuts) {
        const file = full.subarray(0, cut);
        const plan = planEdfRecovery(file.subarray(0, 4096), file.length);
        if (!plan.ok) throw new Error(plan.reason);
        const records = Math.floor((cut - 4096) / recordBytes);
        expect(plan).toMatchObject({
          format: name,
          records,
          declaredRecords: -1,
          truncateTo: 4096 + records * recordBytes,
          headerBytes: 4096,
          recordBytes,
        });
        // applying the plan gives a file the independent parser reads with the right count
        const fixed = file.slice(0, plan.truncateTo);
        fixed.set(plan.patch.bytes, plan.patch.offset);
        const parsed = parseEdf(fixed);
        expect(parsed.records).toBe(records);
        if (records > 0) {
          const last = physical(parsed.signals[3]!, parsed.digital[3]![records * 500 - 1]!);
          expect(Math.abs(last - (((records * 500 - 1) % 1000) + 3))).toBeLessThanOrEqual(0.05);
        }
        parsed.tals.forEach((t, r) => expect(t[0]!.onset).toBe(r));
      }
    });
  }

  test("changes nothing when the file was finished", () => {
    const { file } = runWriter(
      createBdfWriter(),
      testInfo(),
      (f) => f.samples(makeBlock(range(0, 1234), () => 1)),
    );
    const plan = planEdfRecovery(file, file.length);
    expect(plan).toMatchObject({
      ok: true,
      records: 3,
      declaredRecords: 3,
      truncateTo: file.length,
    });
  });

  test("refuses when the header is not all there", () => {
    const full = crashed(createEdfWriter, 600);
    expect(planEdfRecovery(full.subarray(0, 100), 100)).toMatchObject({ ok: false });
    expect(planEdfRecovery(full.subarray(0, 3000), 3000)).toMatchObject({ ok: false });
    expect(planEdfRecovery(full.subarray(0, 256), full.length)).toMatchObject({ ok: false }); // caller read too little
    const bad = full.slice(0, 4096);
    bad.set([0x41], 0);
    expect(planEdfRecovery(bad, full.length)).toMatchObject({ ok: false });
  });

  test("throws when the file length is not a byte count", () => {
    expect(() => planEdfRecovery(new Uint8Array(4096), -1)).toThrow(RangeError);
  });
});
