/** @module TAL encoding, the time-keeping TAL of every record, carry-over of annotations and sanitised text. */
import { describe, expect, test } from "bun:test";
import { createBdfWriter, createEdfWriter } from "../../src/recording/edf-writer.ts";
import {
  encodeTal,
  formatSeconds,
  sanitizeText,
  TalQueue,
  timeKeepingTal,
} from "../../src/recording/tal.ts";
import {
  annotationsOf,
  makeBlock,
  parseEdf,
  parseTals,
  range,
  runWriter,
  testInfo,
} from "./edf-reader.ts";

const str = (b: Uint8Array): string => String.fromCharCode(...b);

describe("formatSeconds", () => {
  test("writes a sign, digits and at most six decimals, never an exponent", () => {
    expect(formatSeconds(0, true)).toBe("+0");
    expect(formatSeconds(1.5, true)).toBe("+1.5");
    expect(formatSeconds(-0.25, true)).toBe("-0.25");
    expect(formatSeconds(1e-7, true)).toBe("+0");
    expect(formatSeconds(-1e-7, true)).toBe("+0");
    expect(formatSeconds(123.4567891, true)).toBe("+123.456789");
    expect(formatSeconds(86400.002, false)).toBe("86400.002");
  });

  test("throws when the value cannot be written", () => {
    expect(() => formatSeconds(Number.NaN, true)).toThrow(RangeError);
    expect(() => formatSeconds(1e9, true)).toThrow(RangeError);
  });
});

describe("encodeTal", () => {
  test("encodes onset, optional duration and text with the EDF+ delimiters", () => {
    expect(str(encodeTal({ onsetS: 1.5, durationS: 0, text: "hi" }))).toBe("+1.5\x14hi\x14\x00");
    expect(str(encodeTal({ onsetS: 1.5, durationS: 0.25, text: "hi" }))).toBe(
      "+1.5\x150.25\x14hi\x14\x00",
    );
  });

  test("throws when the duration is negative or not finite", () => {
    expect(() => encodeTal({ onsetS: 0, durationS: -1, text: "x" })).toThrow(RangeError);
    expect(() => encodeTal({ onsetS: 0, durationS: Number.NaN, text: "x" })).toThrow(RangeError);
  });

  test("cuts long text at a character boundary when it exceeds the room", () => {
    const tal = encodeTal({ onsetS: 2, durationS: 0, text: "é".repeat(1000) }, 100);
    expect(tal.length).toBeLessThanOrEqual(100);
    const [parsed] = parseTals(tal); // the test parser decodes UTF-8 strictly
    expect(parsed!.texts[0]).toBe("é".repeat(47));
  });
});

describe("timeKeepingTal", () => {
  test("writes the record index as onset with an empty annotation", () => {
    expect(str(timeKeepingTal(0))).toBe("+0\x14\x14\x00");
    expect(str(timeKeepingTal(12345))).toBe("+12345\x14\x14\x00");
  });
});

describe("sanitizeText", () => {
  test("replaces control bytes with spaces when text has them", () => {
    expect(sanitizeText("a\x00b\x14c\x15d\ne\x7ff\x85g\tz")).toBe("a b c d e f g z");
    expect(sanitizeText("\x14\x00 ")).toBe("(empty)");
    expect(sanitizeText("Reiz ✓ 刺激")).toBe("Reiz ✓ 刺激");
  });
});

describe("TalQueue", () => {
  test("waits for the record that covers an onset and keeps onset order when added out of order", () => {
    const q = new TalQueue(64);
    q.add({ onsetS: 1.5, durationS: 0, text: "b" });
    q.add({ onsetS: 0.5, durationS: 0, text: "a" });
    const r0 = new Uint8Array(64);
    q.fill(r0, 0, 0, 1);
    expect(parseTals(r0).map((t) => [t.onset, t.texts[0]])).toEqual([[0, ""], [0.5, "a"]]);
    const r1 = new Uint8Array(64);
    q.fill(r1, 0, 1, 2);
    expect(parseTals(r1).map((t) => [t.onset, t.texts[0]])).toEqual([[1, ""], [1.5, "b"]]);
    expect(q.pending).toBe(0);
    expect(q.written).toBe(2);
  });

  test("carries over what does not fit and counts the records needed", () => {
    const q = new TalQueue(64);
    // 20–22 bytes each: two fit beside a 5-byte time-keeping TAL in 64 bytes
    for (let i = 0; i < 10; i++) {
      q.add({ onsetS: 0.1 * i, durationS: 0, text: `marker number ${i}` });
    }
    expect(q.recordsToDrain(0)).toBe(5);
    const seen: string[] = [];
    for (let r = 0; q.pending > 0; r++) {
      expect(r).toBeLessThan(5);
      const rec = new Uint8Array(64);
      q.fill(rec, 0, r, r + 1);
      const tals = parseTals(rec);
      expect(tals[0]!.onset).toBe(r);
      expect(tals.length).toBe(3);
      for (const t of tals.slice(1)) seen.push(t.texts[0]!);
    }
    expect(seen).toEqual(range(0, 10).map((i) => `marker number ${i}`));
  });

  test("drops and counts annotations when the pending bytes would pass the bound", () => {
    const q = new TalQueue(64, 40);
    expect(q.add({ onsetS: 0, durationS: 0, text: "first one" })).not.toBeNull();
    expect(q.add({ onsetS: 0, durationS: 0, text: "second one" })).not.toBeNull();
    expect(q.add({ onsetS: 0, durationS: 0, text: "third one" })).toBeNull();
    expect(q.add({ onsetS: 0, durationS: 0, text: "forced" }, true)).not.toBeNull();
    expect(q.dropped).toBe(1);
    expect(q.pending).toBe(3);
  });
});

describe("annotations in written files", () => {
  test("opens every record with its time-keeping TAL", () => {
    for (const make of [createBdfWriter, createEdfWriter]) {
      const { file } = runWriter(
        make(),
        testInfo(),
        (f) => f.samples(makeBlock(range(0, 5250), () => 0)),
      );
      const p = parseEdf(file);
      expect(p.records).toBe(11);
      p.tals.forEach((tals, r) => {
        expect(tals[0]).toEqual({ onset: r, duration: null, texts: [""] });
      });
    }
  });

  test("carries many annotations over to the next records with their onsets exact", () => {
    const markers = Array.from(
      { length: 300 },
      (_, i) => ({ onsetS: 0.5 + i * 0.001, durationS: 0, text: `stimulus number ${i}` }),
    );
    const { file, figures } = runWriter(createBdfWriter(), testInfo(), (f) => {
      for (let at = 0; at < 10000; at += 100) {
        if (at === 200) { for (const m of markers) f.annotate(m); }
        f.samples(makeBlock(range(at, at + 100), () => 0));
      }
    });
    const p = parseEdf(file);
    expect(p.records).toBe(20);
    const got = annotationsOf(p);
    expect(got.map((a) => a.text)).toEqual(markers.map((m) => m.text));
    got.forEach((a, i) => {
      expect(a.onset).toBe(Number(markers[i]!.onsetS.toFixed(6)));
      expect(a.record).toBeGreaterThanOrEqual(Math.floor(a.onset));
    });
    expect(new Set(got.map((a) => a.record)).size).toBeGreaterThan(5); // spread over records
    expect(figures).toMatchObject({
      annotations: 300,
      annotations_pending: 0,
      annotations_dropped: 0,
    });
  });

  test("never writes an annotation before the record that covers its onset", () => {
    const { file } = runWriter(createEdfWriter(), testInfo(), (f) => {
      f.annotate({ onsetS: 3.25, durationS: 1, text: "later" });
      f.annotate({ onsetS: 0.1, durationS: 0, text: "now" });
      f.samples(makeBlock(range(0, 3000), () => 0));
      f.annotate({ onsetS: 0.2, durationS: 0, text: "in the past" });
      f.annotate({ onsetS: 99, durationS: 0, text: "after the end" });
    });
    const got = annotationsOf(parseEdf(file));
    expect(got.map((a) => [a.text, a.record, a.onset])).toEqual([
      ["now", 0, 0.1],
      // a late one is sorted back into the record that covers it
      ["in the past", 0, 0.2],
      ["later", 3, 3.25],
      // "after the end": no record covers it, and none is added for it
    ]);
  });

  test("pads only the partial record when the annotations need more room than the data (the rest are dropped)", () => {
    const { file, figures } = runWriter(createBdfWriter(), testInfo(), (f) => {
      for (let i = 0; i < 200; i++) f.annotate({ onsetS: 0.5, durationS: 0, text: `flood ${i}` });
      f.samples(makeBlock(range(0, 750), () => 0));
    });
    const p = parseEdf(file);
    const flood = annotationsOf(p).filter((a) => a.text.startsWith("flood")).length;
    expect(p.records).toBe(2);
    expect(figures.padding_samples).toBe(250);
    expect(flood).toBeLessThan(200);
    expect(figures.annotations_dropped).toBe(201 - figures.annotations!);
    expect(figures.annotations_pending).toBe(0);
  });

  test("writes sanitised UTF-8 text when markers carry control bytes", () => {
    const { file } = runWriter(createBdfWriter(), testInfo(), (f) => {
      f.annotate({ onsetS: 0.25, durationS: 0.5, text: "line1\nline2\x14\x00 ✓" });
      f.annotate({ onsetS: 0.3, durationS: 0, text: "" });
      f.samples(makeBlock(range(0, 500), () => 0));
    });
    expect(annotationsOf(parseEdf(file)).map((a) => [a.onset, a.duration, a.text])).toEqual([
      [0.25, 0.5, "line1 line2   ✓"],
      [0.3, null, "(empty)"],
    ]);
  });
});
