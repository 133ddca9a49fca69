/** @module The Recorder with real files: `_events.csv` rows and BDF+ annotations in onset order although markers arrive late, and rows that never depend on the BDF writer. */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRecordingStore } from "../../src/adapters/recording-store.ts";
import { systemClock } from "../../src/core/clock.ts";
import type { Marker } from "../../src/core/markers.ts";
import { createBdfWriter } from "../../src/recording/edf-writer.ts";
import { Recorder } from "../../src/recording/recorder.ts";
import { annotationsOf, makeBlock, parseEdf, range, testInfo } from "./edf-reader.ts";

const { startMs: _s, firstSeq: _f, ...info } = testInfo({ sessionName: "order" });
const marker = (label: string, seq: number, durationS = 0): Marker => ({
  id: label,
  label,
  value: null,
  timestamp: 0,
  durationS,
  seq,
  source: null,
});

/** Runs `feed` on a recorder writing BDF into a fresh directory, stops it and returns the files' text/bytes. */
async function record(
  feed: (r: Recorder) => void,
): Promise<{ events: string[]; bdf: Uint8Array; recorder: Recorder }> {
  const dir = mkdtempSync(join(tmpdir(), "mw75-order-"));
  try {
    const recorder = await Recorder.create({
      store: createRecordingStore(dir),
      clock: systemClock,
      info,
      writers: [createBdfWriter()],
      durationS: null,
      onEnd: () => {},
    });
    feed(recorder);
    await recorder.stop();
    return {
      events: readFileSync(join(dir, "order_events.csv"), "utf8").trim().split("\n").slice(1),
      bdf: new Uint8Array(readFileSync(join(dir, "order.bdf"))),
      recorder,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("Recorder event order", () => {
  test("a marker stamped in the past is written before later rows, in the events CSV and the BDF", async () => {
    const { events, bdf } = await record((r) => {
      r.onSamples(makeBlock(range(0, 600), () => 0));
      r.onMarker(marker("later", 1012)); // onset 2.024, not sampled yet
      r.onSamples({
        ...makeBlock(range(700, 1400), () => 0),
        gaps: [{
          index: 0,
          seq: 700,
          missing: 100,
          expectedCounter: 600 & 0xff,
          gotCounter: 700 & 0xff,
          estimated: false,
        }],
      }); // a gap at 1.2 s
      r.onMarker(marker("past", 513)); // onset 1.026: its record is out already
      r.onSamples(makeBlock(range(1400, 2000), () => 0));
    });
    expect(events).toEqual([
      "1.026,0.000,past,,513",
      "1.200,0.200,gap,100,600",
      "2.024,0.000,later,,1012",
    ]);
    const notes = annotationsOf(parseEdf(bdf));
    expect(notes.map((a) => [a.onset, a.text])).toEqual([
      [1.026, "past"],
      [1.2, "gap 100 samples"],
      [2.024, "later"],
    ]);
  });

  test("a marker the BDF writer cannot take still gets its events row, and the recording goes on", async () => {
    const { events, recorder } = await record((r) => {
      r.onSamples(makeBlock(range(0, 600), () => 0));
      expect(r.onMarker(marker("too long", 100, 2e9))).toBe(true);
      r.onSamples(makeBlock(range(600, 1000), () => 0));
    });
    expect(events).toEqual(["0.200,2000000000.000,too long,,100"]);
    expect(recorder.figures()).toMatchObject({ state: "stopped", markers: 1, samples: 1000 });
    expect(recorder.figures().writerFigures["bdf"]).toMatchObject({ annotations_dropped: 1 });
  });

  test("markers sent after the start but before the first sample are placed at that sample, not dropped", async () => {
    const early = { ...marker("no clock yet", 0), seq: null };
    const { events, bdf, recorder } = await record((r) => {
      expect(r.onMarker(early)).toBe(true);
      expect(r.onMarker(marker("stamped before", 40))).toBe(true);
      r.onSamples(makeBlock(range(50, 600), () => 0)); // the first sample is seq 50
      expect(r.onMarker(marker("running, stamped before", 10))).toBe(false);
    });
    expect(events).toEqual(["0.000,0.000,no clock yet,,50", "0.000,0.000,stamped before,,50"]);
    expect(annotationsOf(parseEdf(bdf)).map((a) => [a.onset, a.text]).slice(0, 2)).toEqual([
      [0, "no clock yet"],
      [0, "stamped before"],
    ]);
    expect(recorder.figures()).toMatchObject({ markers: 2, firstSeq: 50 });
  });
});
