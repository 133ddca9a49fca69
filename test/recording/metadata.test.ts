/** @module The `<session>.json` metadata: every documented field, with its type and value. */
import { describe, expect, test } from "bun:test";
import { buildMetadata } from "../../src/recording/metadata.ts";
import type { MetadataInput } from "../../src/recording/metadata.ts";

const START_MS = 1_767_225_600_000; // 2026-01-01T00:00:00Z

function input(overrides: Partial<MetadataInput> = {}): MetadataInput {
  return {
    info: {
      sessionName: "session_2026-01-01",
      startMs: START_MS + 12.345,
      firstSeq: 1000,
      subject: "sub-01",
      sessionLabel: "baseline",
      notes: "eyes closed",
      deviceName: "MW75 Neuro",
      deviceAddress: "AA:BB:CC:DD:EE:FF",
      deviceId: "mw75-AABBCCDDEEFF",
      synthetic: false,
      bridgeVersion: "0.1.0",
    },
    source: "mw75",
    state: "stopped",
    startedAtMs: START_MS,
    stoppedAtMs: START_MS + 61_500,
    lastSeq: 1000 + 30_000 - 1,
    samples: 29_990,
    lost: 10,
    duplicates: 2,
    markers: 3,
    gaps: 1,
    formats: ["bdf", "csv"],
    files: [
      { name: "session_2026-01-01.bdf", format: "bdf", bytes: 4096 },
      { name: "session_2026-01-01.csv", format: "csv", bytes: 8192 },
      { name: "session_2026-01-01_events.csv", format: "events", bytes: 64 },
    ],
    figures: { bdf: { clipped: 12, records: 60 }, csv: { rows: 29_990, nonFinite: 0, clipped: 0 } },
    ...overrides,
  };
}

const TYPES: Record<string, string> = {
  metadata_version: "number",
  session_name: "string",
  subject: "string",
  session_label: "string",
  notes: "string",
  sampling_rate: "number",
  channel_names: "array",
  channel_units: "array",
  uv_per_count: "number",
  device_id: "string",
  device_name: "string",
  device_address: "string",
  bridge_version: "string",
  source: "string",
  synthetic: "boolean",
  started_at: "string",
  started_at_unix: "number",
  stopped_at: "string",
  stopped_at_unix: "number",
  first_seq: "number",
  start_ms: "number",
  duration_s: "number",
  paused_s: "number",
  pauses: "number",
  samples: "number",
  packets: "number",
  lost: "number",
  duplicates: "number",
  markers: "number",
  gaps: "number",
  clipped: "object",
  annotations_dropped: "number",
  figures: "object",
  formats: "array",
  files: "array",
  state: "string",
  failure_reason: "null",
};

const typeOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

describe("buildMetadata", () => {
  test("has every documented field with its type when a recording stopped", () => {
    const meta = buildMetadata(input()) as unknown as Record<string, unknown>;
    expect(Object.keys(meta).sort()).toEqual(Object.keys(TYPES).sort());
    for (const [key, type] of Object.entries(TYPES)) {
      expect(`${key}: ${typeOf(meta[key])}`).toBe(`${key}: ${type}`);
    }
  });

  test("fills the values from the recording when it stopped", () => {
    const meta = buildMetadata(input());
    expect(meta.sampling_rate).toBe(500);
    expect(meta.channel_names).toEqual([
      "Ch1",
      "Ch2",
      "Ch3",
      "Ch4",
      "Ch5",
      "Ch6",
      "Ch7",
      "Ch8",
      "Ch9",
      "Ch10",
      "Ch11",
      "Ch12",
      "REF",
      "DRL",
    ]);
    expect(meta.channel_units).toEqual([...Array(12).fill("µV"), "as sent", "as sent"]);
    expect(meta.started_at).toBe("2026-01-01T00:00:00.000Z");
    expect(meta.started_at_unix).toBe(1_767_225_600);
    expect(meta.stopped_at).toBe("2026-01-01T00:01:01.500Z");
    expect(meta.stopped_at_unix).toBe(1_767_225_661.5);
    expect(meta.start_ms).toBe(START_MS + 12.345);
    expect(meta.first_seq).toBe(1000);
    expect(meta.duration_s).toBe(60);
    expect(meta.clipped).toEqual({ bdf: 12, csv: 0 });
    expect(meta.files[2]).toEqual({
      name: "session_2026-01-01_events.csv",
      format: "events",
      bytes: 64,
    });
    expect(meta.device_address).toBe("AA:BB:CC:DD:EE:FF");
    expect(meta.device_id).toBe("mw75-AABBCCDDEEFF");
    expect(meta.synthetic).toBe(false);
    expect(JSON.parse(JSON.stringify(meta))).toEqual(meta);
  });

  test("has null stop fields and no duration when recording has only begun", () => {
    const meta = buildMetadata(
      input({ state: "recording", stoppedAtMs: null, lastSeq: null, samples: 0, files: [] }),
    );
    expect(meta.state).toBe("recording");
    expect(meta.stopped_at).toBeNull();
    expect(meta.stopped_at_unix).toBeNull();
    expect(meta.duration_s).toBe(0);
    expect(meta.failure_reason).toBeNull();
  });

  test("carries the reason when the recording failed", () => {
    expect(
      buildMetadata(input({ state: "failed", failureReason: "ENOSPC: disk full" })).failure_reason,
    ).toBe("ENOSPC: disk full");
    expect(buildMetadata(input({ state: "failed" })).failure_reason).toBe("unknown failure");
    expect(buildMetadata(input({ state: "recovered" })).state).toBe("recovered");
  });

  test("refuses a start time that is not a Unix ms when the input is broken", () => {
    expect(() => buildMetadata(input({ startedAtMs: Number.NaN }))).toThrow(RangeError);
  });
});
