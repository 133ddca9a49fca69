/** @module The Recorder with real files: a duration whose last samples were lost still spans the whole duration, the lost tail a gap. */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRecordingStore } from "../../src/adapters/recording-store.ts";
import { systemClock } from "../../src/core/clock.ts";
import { createBdfWriter } from "../../src/recording/edf-writer.ts";
import { createCsvWriter } from "../../src/recording/csv-writer.ts";
import { Recorder } from "../../src/recording/recorder.ts";
import { annotationsOf, makeBlock, parseEdf, range, testInfo } from "./edf-reader.ts";

const { startMs: _s, firstSeq: _f, ...info } = testInfo({ sessionName: "tail" });

/** Records blocks of `seqs` (cut into 50s) with duration_s 2 and waits until it ends by itself. */
async function recordTwoSeconds(seqs: number[]): Promise<{ recorder: Recorder; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "mw75-recorder-"));
  let ended!: () => void;
  const done = new Promise<void>((r) => (ended = r));
  const recorder = await Recorder.create({
    store: createRecordingStore(dir),
    clock: systemClock,
    info,
    writers: [createBdfWriter(), createCsvWriter()],
    durationS: 2,
    onEnd: () => ended(),
  });
  for (let at = 0; at < seqs.length; at += 50) {
    recorder.onSamples(makeBlock(seqs.slice(at, at + 50), (seq) => seq * 0.023842));
  }
  // the recorder ends as soon as the sample past its duration arrives; 5 s only keeps a recorder
  // that never ends from hanging the test, which then fails on its files
  const timeout = setTimeout(() => ended(), 5000);
  await done;
  clearTimeout(timeout);
  await recorder.stop();
  return { recorder, dir };
}

describe("Recorder duration_s", () => {
  test("the stream jumps past the end (its last 30 samples lost): stops at once, files span the duration, the tail is a gap", async () => {
    // 2 s = seq 100..1099; 1070..1099 never arrive, the stream goes on at 1130
    const { recorder, dir } = await recordTwoSeconds([...range(100, 1070), ...range(1130, 1300)]);
    try {
      const f = recorder.figures();
      expect(f.state).toBe("stopped");
      expect({ first: f.firstSeq, last: f.lastSeq, samples: f.samples, gaps: f.gaps, lost: f.lost })
        .toEqual({ first: 100, last: 1099, samples: 970, gaps: 1, lost: 30 });
      const bdf = parseEdf(new Uint8Array(readFileSync(join(dir, "tail.bdf"))));
      expect(bdf.records).toBe(2);
      expect(annotationsOf(bdf).map((a) => [a.onset, a.duration, a.text])).toEqual([[
        1.94,
        0.06,
        "gap 30 samples",
      ]]);
      const csv = readFileSync(join(dir, "tail.csv"), "utf8").trim().split("\n");
      expect(csv.length - 1).toBe(970); // the CSV has no rows for lost samples
      const events = readFileSync(join(dir, "tail_events.csv"), "utf8").trim().split("\n");
      expect(events.slice(1)).toEqual(["1.940,0.060,gap,30,1070"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("without loss it ends on the last seq of the duration and writes no gap", async () => {
    const { recorder, dir } = await recordTwoSeconds(range(100, 1300));
    try {
      const f = recorder.figures();
      expect({ last: f.lastSeq, samples: f.samples, gaps: f.gaps }).toEqual({
        last: 1099,
        samples: 1000,
        gaps: 0,
      });
      expect(annotationsOf(parseEdf(new Uint8Array(readFileSync(join(dir, "tail.bdf")))))).toEqual(
        [],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
