/** @module A recording left open by a crash: the start-up recovery gives its metadata and `recording` object the repaired counts and state "recovered". */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRecordingStore } from "../../src/adapters/recording-store.ts";
import { createBdfWriter } from "../../src/recording/edf-writer.ts";
import { buildMetadata } from "../../src/recording/metadata.ts";
import { recoverRecordings } from "../../src/recording/recovery.ts";
import { makeBlock, range, runWriter, testInfo } from "./edf-reader.ts";

const FIRST = 1000;

/** The files a SIGKILL leaves: a BDF with its record count still -1 and half a record, events, and the metadata of the first sample. */
function crashedRecording(dir: string): void {
  const info = testInfo({ sessionName: "crash", firstSeq: FIRST });
  // 3.4 s of samples, 50 of them lost at 1.2 s; the kill comes before the stop
  const { unpatched } = runWriter(createBdfWriter(), info, (f) => {
    f.samples(makeBlock(range(FIRST, FIRST + 600), () => 0));
    f.samples(makeBlock(range(FIRST + 650, FIRST + 1700), () => 0));
  });
  const recordBytes = 14 * 500 * 3 + 768;
  const header = 256 * 16;
  // cut after 3 whole records and half of the 4th (what was written before the kill)
  writeFileSync(join(dir, "crash.bdf"), unpatched.subarray(0, header + 3.5 * recordBytes));
  writeFileSync(
    join(dir, "crash_events.csv"),
    [
      "onset,duration,label,value,seq",
      "0.500,0.000,stim,1,1250",
      "1.200,0.100,gap,50,1600",
      "2.900,0.000,stim,2,2450",
      "3.300,0.000,late,,2650",
      "",
    ].join("\n"),
  );
  const files = [{ name: "crash.bdf", format: "bdf" as const, bytes: 0 }, {
    name: "crash_events.csv",
    format: "events" as const,
    bytes: 0,
  }];
  const meta = buildMetadata({
    info,
    source: "sim",
    state: "recording",
    startedAtMs: info.startMs,
    stoppedAtMs: null,
    lastSeq: FIRST,
    samples: 0,
    lost: 0,
    duplicates: 0,
    markers: 0,
    gaps: 0,
    formats: ["bdf"],
    files,
    figures: {},
  });
  const recording = {
    id: "rec-1",
    state: "recording",
    session_name: "crash",
    started_at: info.startMs / 1000,
    duration_s: 0,
    samples: 0,
    markers: 0,
    gaps: 0,
    first_seq: FIRST,
    files,
  };
  writeFileSync(join(dir, "crash.json"), JSON.stringify({ ...meta, recording }));
}

describe("recoverRecordings", () => {
  test("the repaired files' counts replace the zeros the crash left, in the metadata and the recording object", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mw75-recover-"));
    try {
      crashedRecording(dir);
      const lines: string[] = [];
      expect(await recoverRecordings(createRecordingStore(dir), { log: (_l, m) => lines.push(m) }))
        .toEqual(["crash"]);
      const meta = JSON.parse(readFileSync(join(dir, "crash.json"), "utf8"));
      // 3 whole records = 1500 samples spanned, 50 of them lost; the markers and gap inside them
      const want = {
        state: "recovered",
        duration_s: 3,
        samples: 1450,
        markers: 2,
        gaps: 1,
        lost: 50,
      };
      expect(meta).toMatchObject({ ...want, packets: 1450, first_seq: FIRST });
      const { lost: _lost, ...object } = want; // the recording object has no `lost`
      expect(meta.recording).toMatchObject({ ...object, first_seq: FIRST });
      expect(lines.join("\n")).toContain("3 records");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("without EDF/BDF the data CSV's rows give the counts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mw75-recover-csv-"));
    try {
      const rows = [...range(FIRST, FIRST + 300), ...range(FIRST + 320, FIRST + 700)].map((seq) =>
        `1.0,0,0,0,0,${seq},0`
      );
      writeFileSync(
        join(dir, "c.csv"),
        ["Timestamp,EventId,Counter,Ref,DRL,Seq,LeadOff", ...rows, ""].join("\n"),
      );
      writeFileSync(
        join(dir, "c_events.csv"),
        'onset,duration,label,value,seq\n0.600,0.040,gap,20,1300\n0.700,0.000,"a, b",,1350\n',
      );
      const files = [{ name: "c.csv", format: "csv", bytes: 0 }, {
        name: "c_events.csv",
        format: "events",
        bytes: 0,
      }];
      writeFileSync(
        join(dir, "c.json"),
        JSON.stringify({
          session_name: "c",
          state: "recording",
          first_seq: FIRST,
          samples: 0,
          duration_s: 0,
          files,
          recording: { state: "recording", samples: 0, duration_s: 0 },
        }),
      );
      await recoverRecordings(createRecordingStore(dir), { log: () => {} });
      const meta = JSON.parse(readFileSync(join(dir, "c.json"), "utf8"));
      expect(meta).toMatchObject({
        state: "recovered",
        samples: 680,
        duration_s: 1.4,
        markers: 1,
        gaps: 1,
        lost: 20,
      });
      expect(meta.recording).toMatchObject({
        state: "recovered",
        samples: 680,
        duration_s: 1.4,
        markers: 1,
        gaps: 1,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
