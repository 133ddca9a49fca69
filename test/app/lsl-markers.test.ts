/** @module Markers the LSL inlet read: the `marker` command's checks, every device, refusals counted per stream and logged once per reason. */
import { describe, expect, test } from "bun:test";
import { InletMarkers } from "../../src/app/lsl-markers.ts";
import type { MarkerRequest } from "../../src/core/markers.ts";
import type { ReceivedMarker } from "../../src/lsl/inlet/types.ts";
import type { Bridge } from "../../src/server/bridge.ts";

const NOW_MS = 1_800_000_000_000;

function rig() {
  const placed: Array<{ device: string; request: MarkerRequest }> = [];
  const device = (id: string) => ({
    identity: { id },
    mark: (request: MarkerRequest) => {
      placed.push({ device: id, request });
      return { ok: true as const, marker: {} };
    },
  });
  const bridge = { list: () => [device("sim-1"), device("sim-2")] } as unknown as Bridge;
  const lines: string[] = [];
  const markers = new InletMarkers(bridge, { log: (_level, text) => void lines.push(text) });
  return { placed, lines, markers };
}

const received = (label: string, unixTime: number, sourceId = "stim-1"): ReceivedMarker => ({
  label,
  lslTime: 100,
  timeCorrection: 0,
  unixTime,
  source: "lsl:Stim@pc",
  stream: { name: "Stim", hostname: "pc", sourceId, uid: "u" },
});

describe("InletMarkers", () => {
  test("a marker goes onto every device at its time, with its source", () => {
    const { placed, markers } = rig();
    expect(markers.place(received("go", NOW_MS / 1000 - 0.25), NOW_MS)).toBe(true);
    expect(placed).toEqual(["sim-1", "sim-2"].map((device) => ({
      device,
      request: {
        label: "go",
        value: null,
        timestamp: NOW_MS / 1000 - 0.25,
        durationS: 0,
        source: "lsl:Stim@pc",
      },
    })));
  });

  test("a label over 128 characters is cut there", () => {
    const { placed, markers } = rig();
    markers.place(received("x".repeat(300), NOW_MS / 1000), NOW_MS);
    expect(placed[0]!.request.label).toBe("x".repeat(128));
  });

  test("an empty label, a non-finite time or a Unix-stamped sender are refused (the inlet counts them per stream), logged once per reason", () => {
    const { placed, lines, markers } = rig();
    for (let i = 0; i < 5; i++) {
      expect(markers.place(received("", NOW_MS / 1000), NOW_MS)).toBe(false);
    }
    markers.place(received("a", NaN), NOW_MS);
    markers.place(received("b", Infinity, "other"), NOW_MS);
    // a sender stamping Unix time instead of LSL time maps to ~2 × now: far outside the window
    markers.place(received("c", 2 * NOW_MS / 1000), NOW_MS);
    markers.place(received("d", 2 * NOW_MS / 1000 + 1), NOW_MS);
    expect(placed).toEqual([]);
    expect(lines).toHaveLength(4);
    expect(lines.every((l) => l.startsWith("LSL marker from lsl:Stim@pc not placed"))).toBe(true);
  });
});
