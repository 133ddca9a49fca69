/** @module EDF+/BDF+ annotations in onset order although markers arrive late, and a marker flood that never lengthens the signal. */
import { describe, expect, test } from "bun:test";
import { createBdfWriter, createEdfWriter } from "../../src/recording/edf-writer.ts";
import { annotationsOf, makeBlock, parseEdf, range, runWriter, testInfo } from "./edf-reader.ts";

describe("annotation order in the file", () => {
  test("a marker arriving after its record was written is moved back into onset order", () => {
    const { file, figures } = runWriter(createBdfWriter(), testInfo(), (f) => {
      f.annotate({ onsetS: 2.024, durationS: 0, text: "later" });
      f.samples(makeBlock(range(0, 1500), () => 0)); // records 0-2 are out
      f.annotate({ onsetS: 1.026, durationS: 0, text: "past" });
      f.annotate({ onsetS: 0.5, durationS: 0.25, text: "older" });
      f.samples(makeBlock(range(1500, 2500), () => 0));
    });
    const got = annotationsOf(parseEdf(file));
    expect(got.map((a) => [a.text, a.onset])).toEqual([["older", 0.5], ["past", 1.026], [
      "later",
      2.024,
    ]]);
    // each one sits in the record that covers its onset
    expect(got.map((a) => a.record)).toEqual([0, 1, 2]);
    expect(figures).toMatchObject({
      records: 5,
      annotations: 3,
      annotations_dropped: 0,
      padding_samples: 0,
    });
  });

  test("a gap's annotation and late markers come out sorted (EDF)", () => {
    const { file } = runWriter(createEdfWriter(), testInfo(), (f) => {
      f.samples(makeBlock(range(0, 600), () => 0));
      f.samples(makeBlock(range(700, 1600), () => 0)); // gap at 1.2 s
      f.annotate({ onsetS: 0.1, durationS: 0, text: "a" });
      f.annotate({ onsetS: 1.5, durationS: 0, text: "b" });
      f.annotate({ onsetS: 1.1, durationS: 0, text: "c" });
      f.samples(makeBlock(range(1600, 2000), () => 0));
    });
    const got = annotationsOf(parseEdf(file));
    const onsets = got.map((a) => a.onset);
    expect(onsets).toEqual([...onsets].sort((x, y) => x - y));
    expect(got.map((a) => a.text)).toEqual(["a", "c", "gap 100 samples", "b"]);
  });
});

describe("rewrites for a late marker", () => {
  test("only the record it lands in is patched, at that record's annotation space", () => {
    const w = createBdfWriter();
    const header = w.start(testInfo())!;
    for (let r = 0; r < 10; r++) {
      w.annotate({ onsetS: r + 0.5, durationS: 0, text: `m${r}` });
      w.samples(makeBlock(range(r * 500, r * 500 + 500), () => 0));
      w.take();
    }
    w.annotate({ onsetS: 3.25, durationS: 0, text: "late" });
    const patches = w.takePatches!();
    const recordBytes = 14 * 500 * 3 + 768;
    expect(patches.map((p) => [p.offset, p.bytes.length])).toEqual([[
      header.length + 3 * recordBytes + 14 * 500 * 3,
      768,
    ]]);
    expect(w.takePatches!()).toEqual([]);
  });
});

describe("a flood of markers", () => {
  test("never lengthens the signal: what does not fit is dropped and counted", () => {
    const { file, figures } = runWriter(createBdfWriter(), testInfo(), (f) => {
      for (let i = 0; i < 2000; i++) {
        f.annotate({ onsetS: 0.5 + i * 0.0001, durationS: 0, text: `flood ${i}` });
      }
      f.samples(makeBlock(range(0, 2750), () => 0));
    });
    const p = parseEdf(file);
    expect(p.records).toBe(6); // 5.5 s of samples: the last record padded, nothing more
    const written = annotationsOf(p).filter((a) => a.text.startsWith("flood")).length;
    expect(figures.padding_samples).toBe(250);
    expect(written).toBeGreaterThan(100);
    expect(figures.annotations_dropped).toBe(2001 - figures.annotations!); // the padding note counts among them
    expect(figures.annotations_dropped).toBeGreaterThan(0);
    expect(figures.annotations_pending).toBe(0);
  });

  test("a marker after the end of the data is dropped, not given a record of zeros", () => {
    const { file, figures } = runWriter(createEdfWriter(), testInfo(), (f) => {
      f.samples(makeBlock(range(0, 1000), () => 0));
      f.annotate({ onsetS: 30, durationS: 0, text: "after the end" });
    });
    expect(parseEdf(file).records).toBe(2);
    expect(figures).toMatchObject({ records: 2, padding_samples: 0, annotations_dropped: 1 });
  });
});
