/** @module `annotations_dropped` where a user looks: the metadata JSON and the `recording` object (status, acks, GET /recordings). */
import { describe, expect, test } from "bun:test";
import { buildMetadata } from "../../src/recording/metadata.ts";
import type { RecordingFacts, RecordingFigures } from "../../src/recording/types.ts";
import { recordingObject } from "../../src/recording/recording-object.ts";
import { testInfo } from "./edf-reader.ts";

const figures = {
  bdf: { annotations_dropped: 7, records: 3 },
  edf: { annotations_dropped: 5 },
  csv: { rows: 10 },
};

describe("annotations_dropped", () => {
  test("the metadata counts the markers and notes a full EDF/BDF had no room for (the most of any format)", () => {
    const meta = buildMetadata({
      info: testInfo(),
      source: "sim",
      state: "stopped",
      startedAtMs: 1_767_225_600_000,
      stoppedAtMs: 1_767_225_605_000,
      lastSeq: 1499,
      samples: 1500,
      lost: 0,
      duplicates: 0,
      markers: 40,
      gaps: 0,
      formats: ["bdf", "edf", "csv"],
      files: [],
      figures,
    });
    expect(meta.annotations_dropped).toBe(7);
    expect(
      buildMetadata({
        ...{
          info: testInfo(),
          source: "sim",
          state: "stopped",
          startedAtMs: 0,
          stoppedAtMs: 0,
          lastSeq: null,
          samples: 0,
          lost: 0,
          duplicates: 0,
          markers: 0,
          gaps: 0,
          formats: ["csv"],
          files: [],
          figures: {},
        },
      }).annotations_dropped,
    ).toBe(0);
  });

  test("the recording object carries it too", () => {
    const f: RecordingFigures = {
      state: "recording",
      failure: null,
      firstSeq: 0,
      lastSeq: 999,
      startMs: 0,
      stoppedAtMs: null,
      samples: 1000,
      markers: 40,
      gaps: 0,
      lost: 0,
      duplicates: 0,
      recorded: 1000,
      pauses: 0,
      pausedSamples: 0,
      files: [],
      writerFigures: figures,
    };
    const facts: RecordingFacts = {
      id: "rec-1",
      sessionName: "s",
      formats: ["bdf"],
      subject: "",
      sessionLabel: "",
      notes: "",
      deviceName: "sim",
      deviceAddress: null,
      source: "sim",
      synthetic: true,
      bridgeVersion: "test",
      requestedAtMs: 0,
    };
    expect(recordingObject({ facts, figures: f, discarded: null }).annotations_dropped).toBe(7);
  });
});
