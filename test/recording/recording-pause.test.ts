/**
 * @module Recording pause (issue 23, docs/recording.md "Pause and resume") at the recorder: nothing
 * is written while paused, the EDF+C/BDF+C timeline goes on without the paused samples and says
 * `paused X s` where it does, the CSV skips their seqs, a duration counts recorded time, and
 * markers sent while paused stay in the events sidecar. A memory store and a manual clock.
 */
import { describe, expect, test } from "bun:test";
import type { Marker } from "../../src/core/markers.ts";
import { createCsvWriter } from "../../src/recording/csv-writer.ts";
import { createBdfWriter } from "../../src/recording/edf-writer.ts";
import { createRawWriter } from "../../src/recording/raw-writer.ts";
import { Recorder } from "../../src/recording/recorder.ts";
import { RecordingPauses } from "../../src/recording/recording-pauses.ts";
import { recoveredFigures } from "../../src/recording/recovered-figures.ts";
import { ManualClock } from "../_support/fakes.ts";
import { annotationsOf, makeBlock, parseEdf, range, testInfo } from "./edf-reader.ts";
import { memoryStore } from "./memory-store.ts";

const { startMs: _s, firstSeq: _f, ...info } = testInfo({ sessionName: "p" });
/** Digital BDF value = seq: each sample says which seq it is. */
const bySeq = (seq: number) => seq * 0.023842;

async function recorder(durationS: number | null = null) {
  const store = memoryStore();
  const ends: Recorder[] = [];
  const r = await Recorder.create({
    store,
    clock: new ManualClock(),
    info,
    writers: [createBdfWriter(), createCsvWriter(), createRawWriter()],
    durationS,
    onEnd: (x) => ends.push(x),
  });
  const feed = (from: number, to: number) => {
    for (let at = from; at < to; at += 50) {
      r.onSamples(makeBlock(range(at, Math.min(at + 50, to)), bySeq));
    }
  };
  const text = (name: string) => new TextDecoder().decode(store.files.get(name));
  return { r, store, feed, text, ends };
}

const marker = (label: string, seq: number): Marker => ({
  id: label,
  label,
  value: null,
  timestamp: 0,
  durationS: 0,
  seq,
  source: null,
});

/** The Seq column of the data CSV. */
const csvSeqs = (csv: string) =>
  csv.trim().split("\n").slice(1).map((line) => Number(line.split(",").at(-2)));

describe("Recorder pause and resume", () => {
  test("the paused seqs are in no file; the timeline goes on and says where and how long", async () => {
    const { r, store, feed, text } = await recorder();
    feed(0, 300);
    r.onBytes(new TextEncoder().encode("A"));
    expect(r.setPaused(true, 1)).toBe(true);
    expect(r.figures().state).toBe("paused");
    expect(r.setPaused(true, 1)).toBe(false); // already paused: nothing changes
    feed(300, 800);
    r.onBytes(new TextEncoder().encode("B"));
    expect(r.onMarker(marker("m1", 500))).toBe(true); // kept, not refused
    expect(r.figures()).toMatchObject({ samples: 300, pausedSamples: 500, pauses: 1 });
    expect(r.setPaused(false, 1)).toBe(true);
    expect(r.setPaused(false, 1)).toBe(false);
    r.onBytes(new TextEncoder().encode("C"));
    feed(800, 1100);
    expect(r.onMarker(marker("m2", 900))).toBe(true);
    const stopping = r.stop();
    feed(1100, 1600); // completes the second record (file samples 600..999 = seq 1100..1499)
    await stopping;

    const f = r.figures();
    expect(f).toMatchObject({ state: "stopped", samples: 1000, recorded: 1000, lastSeq: 1499 });
    expect(f).toMatchObject({ pauses: 1, pausedSamples: 500, markers: 2, gaps: 0, lost: 0 });
    const bdf = parseEdf(store.files.get("p.bdf")!);
    expect(bdf.records).toBe(2);
    const ch1 = Array.from(bdf.digital[0]!);
    expect(ch1.slice(298, 302)).toEqual([298, 299, 800, 801]); // no fill: 299 is followed by 800
    expect(ch1.slice(-1)).toEqual([1499]);
    expect(annotationsOf(bdf).map((a) => [a.onset, a.duration, a.text])).toEqual([
      [0.6, null, "paused 1 s"],
      [0.8, null, "m2"],
    ]);
    const seqs = csvSeqs(text("p.csv"));
    expect(seqs.length).toBe(1000);
    expect(seqs.filter((s) => s >= 300 && s < 800)).toEqual([]);
    expect(text("p_events.csv").trim().split("\n").slice(1)).toEqual([
      "0.600,0,m1 (while paused),,500",
      "0.600,0,paused,500,300",
      "0.800,0,m2,,900",
    ].map((row) => row.replace(",0,", ",0.000,")));
    // raw: the bytes before and after, the resume marked as a boundary record
    expect(text("p.raw")).toMatch(/^A\n#mw75-capture v1 connection=1 unix_ms=\d+\nC$/);
  });

  test("stopped while paused: the files end where the pause began, at once, padded", async () => {
    const { r, store, feed, text } = await recorder();
    feed(0, 300);
    r.setPaused(true, 1);
    feed(300, 600);
    await r.stop(); // no wait for the live stream: the manual clock never moves
    const f = r.figures();
    expect(f).toMatchObject({ state: "stopped", samples: 300, recorded: 300, pausedSamples: 300 });
    const bdf = parseEdf(store.files.get("p.bdf")!);
    expect(bdf.records).toBe(1);
    expect(annotationsOf(bdf).map((a) => a.text)).toEqual(["end of data, 200 samples of padding"]);
    expect(text("p_events.csv")).toContain("\n0.600,0.000,paused,300,300\n");
    expect(csvSeqs(text("p.csv")).at(-1)).toBe(299);
  });

  test("duration_s counts recorded time: the end moves on by the pause", async () => {
    const { r, store, feed, ends } = await recorder(1);
    feed(0, 200);
    r.setPaused(true, 1);
    feed(200, 700);
    r.setPaused(false, 1);
    feed(700, 1100);
    expect(ends).toEqual([r]); // ended by itself at 500 recorded samples
    await r.stop();
    expect(r.figures()).toMatchObject({ samples: 500, recorded: 500, lastSeq: 999 });
    expect(parseEdf(store.files.get("p.bdf")!).records).toBe(1);
  });

  test("a marker sent after the resume, before its first sample, lands after the pause", async () => {
    const { r, feed, text } = await recorder();
    feed(0, 100);
    r.setPaused(true, 1);
    feed(100, 200); // seen up to 199
    r.setPaused(false, 1);
    expect(r.onMarker(marker("late", 230))).toBe(true); // held: the pause's end is not known yet
    feed(220, 620); // 200..219 were lost on the link around the resume: part of the pause
    await r.stop();
    const rows = text("p_events.csv").trim().split("\n").slice(1);
    expect(rows).toEqual(["0.200,0.000,paused,120,100", "0.220,0.000,late,,230"]);
    expect(r.figures()).toMatchObject({ gaps: 0, pausedSamples: 120 });
  });

  test("pause and resume are refused once the recording is stopping", async () => {
    const { r, feed } = await recorder();
    feed(0, 500); // a whole record: the stop takes no more
    await r.stop();
    expect(r.setPaused(true, 1)).toBe(false);
    expect(r.figures().state).toBe("stopped");
  });
});

describe("RecordingPauses", () => {
  test("maps seqs onto the timeline without the paused ones", () => {
    const p = new RecordingPauses();
    p.pause(100);
    p.see(149);
    p.resume();
    expect(p.end(150)).toEqual({ from: 100, to: 150, before: 0 });
    p.pause(300);
    p.resume();
    p.end(400);
    expect([p.unpaused(99), p.unpaused(120), p.unpaused(150), p.unpaused(350), p.unpaused(400)])
      .toEqual([99, 100, 100, 250, 250]);
    expect([p.within(99), p.within(349)?.from, p.within(400)]).toEqual([null, 300, null]);
    expect({ skipped: p.skipped, count: p.count, total: p.total() })
      .toEqual({ skipped: 150, count: 2, total: 150 });
  });

  test("a pause before the first sample leaves nothing out; paused again before a sample is the same pause", () => {
    const p = new RecordingPauses();
    p.pause(null);
    p.resume();
    expect(p.end(10)).toBeNull();
    p.pause(20);
    p.resume();
    p.pause(20); // no sample came since the resume
    expect(p.count).toBe(3);
    p.resume();
    expect(p.end(30)).toEqual({ from: 20, to: 30, before: 0 });
  });
});

describe("recoveredFigures with pauses (a crash while or after paused)", () => {
  const events = [
    "onset,duration,label,value,seq",
    "0.600,0.000,paused,500,300",
    "0.600,0.000,m1 (while paused),,500",
    "0.800,0.000,m2,,900",
    "",
  ].join("\n");

  test("EDF/BDF records: the span's end seq moves on past the pause; the paused row is no marker", () => {
    expect(recoveredFigures({ firstSeq: 0, records: 2, csv: null, events }))
      .toEqual({ duration_s: 2, samples: 1000, markers: 2, gaps: 0, lost: 0 });
  });

  test("a CSV alone: its seq span holds the pause, its time does not", () => {
    expect(
      recoveredFigures({ firstSeq: 0, records: null, csv: { rows: 1000, lastSeq: 1499 }, events }),
    )
      .toEqual({ duration_s: 2, samples: 1000, markers: 2, gaps: 0, lost: 0 });
  });
});
