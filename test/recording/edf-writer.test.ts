/** @module BDF+/EDF+ writers round-tripped through the test's own parser: values, clipping, gaps, records, finish. */
import { describe, expect, test } from "bun:test";
import { createBdfWriter, createEdfWriter } from "../../src/recording/edf-writer.ts";
import {
  annotationsOf,
  makeBlock,
  parseEdf,
  physical,
  range,
  runWriter,
  testInfo,
} from "./edf-reader.ts";

const COUNT_UV = 0.023842;
const SENTINEL_UV = 8388607 * COUNT_UV;

/** Feeds samples [from, to) in blocks of `size` (odd, so blocks straddle records). */
function blocks(from: number, to: number, size: number, value: (seq: number, s: number) => number) {
  const out = [];
  for (let at = from; at < to; at += size) {
    out.push(makeBlock(range(at, Math.min(to, at + size)), value));
  }
  return out;
}

describe("createBdfWriter", () => {
  test("stores integer counts exactly and fractional µV within half a count", () => {
    // counts over the whole range, including the limits; signal 1 gets fractional µV
    const count = (seq: number, s: number): number =>
      ((seq * 7919 + s * 104729) % 16000001) - 8000000;
    const value = (
      seq: number,
      s: number,
    ): number => (s === 1
      ? count(seq, s) * COUNT_UV + 0.004 * (seq % 7)
      : count(seq, s) * COUNT_UV);
    const { file, figures } = runWriter(createBdfWriter(), testInfo(), (f) => {
      for (const b of blocks(0, 1500, 37, value)) f.samples(b);
    });
    const p = parseEdf(file);
    expect(p.records).toBe(3);
    expect(p.digital.length).toBe(14);
    for (let s = 0; s < 14; s++) {
      for (let i = 0; i < 1500; i++) {
        const d = p.digital[s]![i]!;
        if (s !== 1) expect(d).toBe(count(i, s));
        expect(Math.abs(physical(p.signals[s]!, d) - value(i, s))).toBeLessThanOrEqual(
          COUNT_UV / 2 + 1e-9,
        );
      }
    }
    expect(figures).toMatchObject({
      records: 3,
      clipped: 0,
      non_finite: 0,
      gap_samples: 0,
      padding_samples: 0,
    });
  });

  test("clips the lead-off sentinel and annotates where each run starts", () => {
    const value = (seq: number, s: number): number => {
      if (s === 2 && ((seq >= 100 && seq < 200) || (seq >= 700 && seq < 710))) return SENTINEL_UV;
      if (s === 4 && seq >= 300 && seq < 305) return -9_000_000 * COUNT_UV;
      return 10 * s;
    };
    const { file, figures } = runWriter(createBdfWriter(), testInfo(), (f) => {
      for (const b of blocks(0, 1000, 50, value)) f.samples(b);
    });
    const p = parseEdf(file);
    expect(p.digital[2]![99]).toBe(Math.round(20 / COUNT_UV));
    expect(p.digital[2]![100]).toBe(8000000);
    expect(p.digital[2]![199]).toBe(8000000);
    expect(p.digital[4]![300]).toBe(-8000000);
    expect(annotationsOf(p).map((a) => [a.onset, a.text])).toEqual([
      [0.2, "lead_off ch3"],
      [0.6, "lead_off ch5"],
      [1.4, "lead_off ch3"],
    ]);
    expect(figures).toMatchObject({ clipped: 115, clipped_ch3: 110, clipped_ch5: 5 });
  });

  test("writes digital 0 and counts them when values are not finite", () => {
    const value = (seq: number, s: number): number =>
      seq === 10 && s === 0
        ? Number.NaN
        : seq === 11 && s === 13
        ? -Infinity
        : seq === 12 && s === 5
        ? Infinity
        : 1;
    const { file, figures } = runWriter(
      createBdfWriter(),
      testInfo(),
      (f) => f.samples(makeBlock(range(0, 500), value)),
    );
    const p = parseEdf(file);
    expect([p.digital[0]![10], p.digital[13]![11], p.digital[5]![12]]).toEqual([0, 0, 0]);
    expect(p.digital[0]![9]).toBe(Math.round(1 / COUNT_UV));
    expect(figures).toMatchObject({ non_finite: 3, clipped: 0 });
  });

  test("fills a gap with zeros on every signal and annotates it at its onset", () => {
    const seqs = [...range(5000, 5300), ...range(5310, 5400), ...range(6600, 7000)]; // gaps of 10 and 1200
    const { file, figures } = runWriter(createBdfWriter(), testInfo({ firstSeq: 5000 }), (f) => {
      for (let at = 0; at < seqs.length; at += 64) {
        f.samples(makeBlock(seqs.slice(at, at + 64), (seq) => seq * COUNT_UV));
      }
    });
    const p = parseEdf(file);
    expect(p.records).toBe(4); // 2000 samples of time, whole records
    for (let s = 0; s < 14; s++) {
      const d = p.digital[s]!;
      for (let i = 0; i < 2000; i++) {
        const seq = 5000 + i;
        const missing = (seq >= 5300 && seq < 5310) || (seq >= 5400 && seq < 6600);
        expect(d[i]).toBe(missing ? 0 : seq); // time stays aligned: position = seq − firstSeq
      }
    }
    expect(annotationsOf(p).map((a) => [a.onset, a.duration, a.text])).toEqual([
      [0.6, 0.02, "gap 10 samples"],
      [0.8, 2.4, "gap 1200 samples"],
    ]);
    expect(figures).toMatchObject({ gap_samples: 1210, records: 4, padding_samples: 0 });
  });

  test("treats samples before the first one as a gap at onset 0", () => {
    const { file, figures } = runWriter(
      createBdfWriter(),
      testInfo({ firstSeq: 100 }),
      (f) => f.samples(makeBlock(range(103, 600), () => 1)),
    );
    const p = parseEdf(file);
    expect(annotationsOf(p)[0]).toMatchObject({ onset: 0, duration: 0.006, text: "gap 3 samples" });
    expect(p.digital[0]![2]).toBe(0);
    expect(p.digital[0]![3]).toBe(42);
    expect(figures.gap_samples).toBe(3);
  });

  test("drops and counts samples whose seq was already written", () => {
    const { file, figures } = runWriter(createBdfWriter(), testInfo(), (f) => {
      f.samples(makeBlock(range(0, 300), (seq) => seq));
      f.samples(makeBlock([...range(290, 300), ...range(300, 500)], (seq) => seq + 1000));
    });
    const p = parseEdf(file);
    expect(p.records).toBe(1);
    expect(physical(p.signals[0]!, p.digital[0]![299]!)).toBeCloseTo(299, 1);
    expect(physical(p.signals[0]!, p.digital[0]![300]!)).toBeCloseTo(1300, 1);
    expect(figures.dropped_samples).toBe(10);
  });

  test("hands out only complete records and holds the rest as pending samples", () => {
    const w = createBdfWriter();
    const header = w.start(testInfo())!;
    expect(w.take()).toBeNull();
    w.samples(makeBlock(range(0, 499), () => 1));
    expect(w.pendingSamples).toBe(499);
    expect(w.take()).toBeNull();
    w.samples(makeBlock(range(499, 1250), () => 1));
    const chunk = w.take()!;
    expect(chunk.length).toBe(2 * (14 * 500 * 3 + 768));
    expect(w.pendingSamples).toBe(250);
    expect(w.take()).toBeNull();
    const { tail, patches } = w.finish();
    expect(tail!.length).toBe(14 * 500 * 3 + 768);
    expect(patches).toHaveLength(1);
    expect(patches[0]!.offset).toBe(236);
    expect(String.fromCharCode(...patches[0]!.bytes)).toBe("3       ");
    expect(header.length).toBe(4096);
  });

  test("pads the last record with zeros and annotates the padding when it is partial", () => {
    const { file, unpatched, figures } = runWriter(
      createBdfWriter(),
      testInfo(),
      (f) => f.samples(makeBlock(range(0, 1100), () => 5)),
    );
    expect(String.fromCharCode(...unpatched.subarray(236, 244))).toBe("-1      ");
    const p = parseEdf(file);
    expect(p.records).toBe(3);
    expect(p.digital[7]![1099]).toBe(Math.round(5 / COUNT_UV));
    expect(Array.from(p.digital[7]!.subarray(1100))).toEqual(new Array(400).fill(0));
    expect(annotationsOf(p)).toEqual([{
      onset: 2.2,
      duration: 0.8,
      text: "end of data, 400 samples of padding",
      record: 2,
    }]);
    expect(figures).toMatchObject({ records: 3, padding_samples: 400 });
  });

  test("finish(lastSeq) fills lost last samples as a gap up to lastSeq, then pads as usual", () => {
    // the duration ended at seq 999 but 960..999 were lost: a gap, not padding, and no record more
    const lost = runWriter(
      createBdfWriter(),
      testInfo(),
      (f) => f.samples(makeBlock(range(0, 960), () => 5)),
      999,
    );
    const p = parseEdf(lost.file);
    expect(p.records).toBe(2);
    expect(Array.from(p.digital[7]!.subarray(958))).toEqual([
      Math.round(5 / COUNT_UV),
      Math.round(5 / COUNT_UV),
      ...new Array(40).fill(0),
    ]);
    expect(annotationsOf(p).map((a) => [a.onset, a.duration, a.text])).toEqual([[
      1.92,
      0.08,
      "gap 40 samples",
    ]]);
    expect(lost.figures).toMatchObject({ gap_samples: 40, padding_samples: 0, records: 2 });
    // a lastSeq inside the next record: the gap reaches it, the rest of that record is padding
    const partial = runWriter(
      createBdfWriter(),
      testInfo(),
      (f) => f.samples(makeBlock(range(0, 960), () => 5)),
      1099,
    );
    expect(annotationsOf(parseEdf(partial.file)).map((a) => a.text)).toEqual([
      "gap 140 samples",
      "end of data, 400 samples of padding",
    ]);
    // a lastSeq already written changes nothing
    const same = runWriter(
      createBdfWriter(),
      testInfo(),
      (f) => f.samples(makeBlock(range(0, 1000), () => 5)),
      999,
    );
    expect(annotationsOf(parseEdf(same.file))).toEqual([]);
  });

  test("adds no padding when the data ends on a record boundary", () => {
    const { file, figures } = runWriter(
      createBdfWriter(),
      testInfo(),
      (f) => f.samples(makeBlock(range(0, 1000), () => 5)),
    );
    const p = parseEdf(file);
    expect(p.records).toBe(2);
    expect(annotationsOf(p)).toEqual([]);
    expect(figures.padding_samples).toBe(0);
  });

  test("throws when used out of order", () => {
    const w = createBdfWriter();
    expect(() => w.samples(makeBlock([0], () => 0))).toThrow(TypeError);
    w.start(testInfo());
    w.finish();
    expect(() => w.annotate({ onsetS: 0, durationS: 0, text: "late" })).toThrow(TypeError);
  });
});

describe("createEdfWriter", () => {
  test("stores µV within 0.05 and clips and counts values beyond ±3276.7 µV", () => {
    const value = (seq: number, s: number): number => {
      if (s === 3 && seq % 100 === 0) return 5000;
      if (s === 12 && seq % 250 === 0) return -SENTINEL_UV;
      return Math.sin(seq * 0.01 + s) * 3276.7;
    };
    const { file, figures } = runWriter(createEdfWriter(), testInfo(), (f) => {
      for (const b of blocks(0, 1000, 77, value)) f.samples(b);
    });
    const p = parseEdf(file);
    expect(p.bytesPerSample).toBe(2);
    expect(p.records).toBe(2);
    for (let s = 0; s < 14; s++) {
      for (let i = 0; i < 1000; i++) {
        const v = value(i, s);
        const got = physical(p.signals[s]!, p.digital[s]![i]!);
        if (Math.abs(v) <= 3276.7) expect(Math.abs(got - v)).toBeLessThanOrEqual(0.05 + 1e-9);
        else expect(got).toBeCloseTo(Math.sign(v) * 3276.7, 6);
      }
    }
    expect(annotationsOf(p)).toEqual([]); // clipping is routine in EDF: counted, not annotated
    expect(figures).toMatchObject({ clipped: 14, clipped_ch4: 10, clipped_ref: 4 });
  });

  test("fills gaps and pads like the BDF writer", () => {
    const { file, figures } = runWriter(
      createEdfWriter(),
      testInfo(),
      (f) => f.samples(makeBlock([...range(0, 100), ...range(150, 700)], () => 1)),
    );
    const p = parseEdf(file);
    expect(p.records).toBe(2);
    expect(p.digital[0]![120]).toBe(0);
    expect(p.digital[0]![150]).toBe(10);
    expect(annotationsOf(p).map((a) => a.text)).toEqual([
      "gap 50 samples",
      "end of data, 300 samples of padding",
    ]);
    expect(figures).toMatchObject({ gap_samples: 50, padding_samples: 300, records: 2 });
  });
});
