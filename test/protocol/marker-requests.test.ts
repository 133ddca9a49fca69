/** @module Marker data a recording can hold: timestamps near the bridge's clock (seconds, not ms), bounded durations, seq never negative. */
import { describe, expect, test } from "bun:test";
import { placeMarker } from "../../src/core/markers.ts";
import {
  MARKER_FUTURE_S,
  MARKER_PAST_S,
  parseMarker,
} from "../../src/protocol/recording-requests.ts";

const NOW_MS = Date.UTC(2026, 11, 6, 9, 0, 0);
const NOW_S = NOW_MS / 1000;

function problem(data: unknown): string {
  const r = parseMarker(data, NOW_MS);
  if (r.ok) throw new Error(`accepted ${JSON.stringify(data)}`);
  expect(r.code).toBe("INVALID_PARAMETERS");
  return r.message;
}

describe("parseMarker timestamps", () => {
  test("a millisecond timestamp (Date.now()) is refused with the range and a hint", () => {
    const message = problem({ label: "x", timestamp: NOW_MS + 250 });
    expect(message).toContain("timestamp");
    expect(message).toContain(`${NOW_S - MARKER_PAST_S}`);
    expect(message).toContain("milliseconds");
    expect(message).toContain(`${(NOW_MS + 250) / 1000}`);
  });

  test("far in the future or the past is refused, without the milliseconds hint", () => {
    for (
      const timestamp of [
        NOW_S + MARKER_FUTURE_S + 1,
        NOW_S + 86_400 * 365,
        NOW_S - MARKER_PAST_S - 1,
        0,
        12,
      ]
    ) {
      const message = problem({ label: "x", timestamp });
      expect(message).toContain("Invalid timestamp");
      expect(message).not.toContain("milliseconds");
    }
  });

  test("times within the window are kept exactly", () => {
    for (const timestamp of [NOW_S, NOW_S - MARKER_PAST_S, NOW_S + MARKER_FUTURE_S, NOW_S - 0.5]) {
      const r = parseMarker({ label: "x", timestamp }, NOW_MS);
      expect(r.ok ? r.value.timestamp : r.message).toBe(timestamp);
    }
  });

  test("a duration the files cannot hold is refused", () => {
    expect(problem({ label: "x", duration_s: 1e9 })).toContain("Invalid duration_s");
    expect(problem({ label: "x", duration_s: 86_401 })).toContain("86400");
    const ok = parseMarker({ label: "x", duration_s: 86_400 }, NOW_MS);
    expect(ok.ok ? ok.value.durationS : ok.message).toBe(86_400);
  });
});

describe("placeMarker", () => {
  test("a time before the stream's first sample gets seq 0 (the sample just after it), never a negative one", () => {
    const seqAt = (ms: number) => Math.ceil((ms - NOW_MS) / 2); // seq 0 at NOW_MS, 500 Hz
    const early = placeMarker(
      { label: "x", value: null, timestamp: NOW_S - 10, durationS: 0 },
      "m1",
      NOW_MS,
      seqAt,
    );
    expect(early.seq).toBe(0);
    expect(early.timestamp).toBe(NOW_S - 10);
    const later = placeMarker(
      { label: "x", value: null, timestamp: NOW_S + 1, durationS: 0 },
      "m2",
      NOW_MS,
      seqAt,
    );
    expect(later.seq).toBe(500);
  });
});
