/**
 * @module A Recorder stopped before its first sample (it stops cleanly, a sample arriving while it
 * closes starts nothing) and the store's remove() and probeWritable() (issue 18 items 17 and 18).
 */
import { describe, expect, test } from "bun:test";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRecordingStore } from "../../src/adapters/recording-store.ts";
import { systemClock } from "../../src/core/clock.ts";
import { createBdfWriter, createEdfWriter } from "../../src/recording/edf-writer.ts";
import { createCsvWriter } from "../../src/recording/csv-writer.ts";
import { Recorder } from "../../src/recording/recorder.ts";
import type { StoreError } from "../../src/ports/recording-store.ts";
import { makeBlock, range, testInfo } from "./edf-reader.ts";

const { startMs: _s, firstSeq: _f, ...info } = testInfo({ sessionName: "empty" });

async function inTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "mw75-empty-"));
  try {
    await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("Recorder stopped before its first sample", () => {
  test("stops as stopped with no sample, even with EDF/BDF writers that never started", async () => {
    await inTempDir(async (dir) => {
      const recorder = await Recorder.create({
        store: createRecordingStore(dir),
        clock: systemClock,
        info,
        durationS: null,
        onEnd: () => {},
        writers: [createBdfWriter(), createEdfWriter(), createCsvWriter()],
      });
      await recorder.stop();
      const f = recorder.figures();
      expect([f.state, f.failure, f.samples, f.firstSeq]).toEqual(["stopped", null, 0, null]);
    });
  });

  test("a sample arriving while it closes is not written (no write to a closed file, no failure)", async () => {
    await inTempDir(async (dir) => {
      const recorder = await Recorder.create({
        store: createRecordingStore(dir),
        clock: systemClock,
        info,
        durationS: null,
        onEnd: () => {},
        writers: [createBdfWriter(), createCsvWriter()],
      });
      const stopping = recorder.stop();
      recorder.onSamples(makeBlock(range(100, 150), (seq) => seq * 0.023842));
      await stopping;
      // the flush of what a late sample would have queued comes after the close: give it a turn.
      // The scenario is an absence (nothing written after the stop), so a sleep, not a poll; a late
      // flush lands in the next turns of the loop, well inside 50 ms even on a loaded machine
      await new Promise((r) => setTimeout(r, 50));
      const f = recorder.figures();
      expect([f.state, f.failure, f.samples]).toEqual(["stopped", null, 0]);
      expect(statSync(join(dir, "empty.bdf")).size).toBe(0);
    });
  });
});

describe("RecordingStore.remove and probeWritable", () => {
  test("remove() deletes a file, ignores a missing one, leaves a directory alone and refuses an unsafe name", async () => {
    await inTempDir(async (dir) => {
      const store = createRecordingStore(dir);
      await (await store.create("a.csv")).close();
      await store.remove("a.csv");
      expect(existsSync(join(dir, "a.csv"))).toBe(false);
      await store.remove("a.csv");
      mkdirSync(join(dir, "d.csv"));
      await store.remove("d.csv");
      expect(existsSync(join(dir, "d.csv"))).toBe(true);
      const refused = await store.remove("../x").then(() => null, (e: StoreError) => e.code);
      expect(refused).toBe("EINVAL");
    });
  });

  test("probeWritable() creates the directory and leaves no file; under a regular file it rejects naming the reason", async () => {
    await inTempDir(async (dir) => {
      const fresh = join(dir, "new", "recordings");
      await createRecordingStore(fresh).probeWritable();
      expect(readdirSync(fresh)).toEqual([]);
      writeFileSync(join(dir, "file"), "x");
      const e = await createRecordingStore(join(dir, "file", "sub")).probeWritable().then(
        () => null,
        (err: StoreError) => err,
      );
      expect(e?.code).toBe("ENOTDIR");
      expect(e?.message).toContain(join(dir, "file", "sub"));
    });
  });
});
