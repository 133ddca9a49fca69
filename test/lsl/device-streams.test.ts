/** @module A device's LSL outlets: names, channel metadata, and sample blocks as float32 chunks in LSL time. */
import { describe, expect, test } from "bun:test";
import { lslTime } from "../../src/lsl/clock.ts";
import {
  EEG_LABELS,
  EegChunker,
  eegDescription,
  eegOutletName,
  isBridgeMarkerOutlet,
  markerDescription,
} from "../../src/lsl/device-streams.ts";
import type { XmlElement } from "../../src/lsl/wire/stream-info.ts";
import { makeBlock, range } from "../recording/edf-reader.ts";

const facts = {
  deviceId: "sim-2",
  isDefault: false,
  address: "00:11:22:33:44:55",
  synthetic: true,
  bridgeId: "lab-pc",
  version: "0.1.0",
};

/** The text of the first element at `path` (a/b/c) under `children`. */
function at(children: readonly XmlElement[], path: string): string | undefined {
  const [head, ...rest] = path.split("/");
  const e = children.find((c) => c.name === head);
  if (e === undefined) return undefined;
  return rest.length === 0 ? e.text : at(e.children, rest.join("/"));
}

describe("the EEG and marker outlets of a device", () => {
  test("names: the default device gets the plain name, others NAME_<device_id>; markers add _Markers", () => {
    expect(eegOutletName("MW75_EEG", { ...facts, isDefault: true })).toBe("MW75_EEG");
    expect(eegOutletName("MW75_EEG", facts)).toBe("MW75_EEG_sim-2");
    expect(markerDescription("MW75_EEG", facts).name).toBe("MW75_EEG_sim-2_Markers");
    expect(markerDescription("X", { ...facts, isDefault: true }).name).toBe("X_Markers");
  });

  test("the EEG outlet: 14 float32 channels at 500 Hz, REF and DRL typed MISC, stable source_id", () => {
    const d = eegDescription("MW75_EEG", facts);
    expect(d).toMatchObject({
      type: "EEG",
      channelCount: 14,
      channelFormat: "float32",
      nominalSrate: 500,
      sourceId: "lab-pc/sim-2",
    });
    const channels = d.desc.find((e) => e.name === "channels")!.children;
    expect(channels.map((c) => at(c.children, "label"))).toEqual([...EEG_LABELS]);
    expect(EEG_LABELS).toEqual(["REF", "DRL", ...range(1, 13).map((k) => `Ch${k}`)]);
    expect(channels.map((c) => at(c.children, "type"))).toEqual([
      "MISC",
      "MISC",
      ...Array(12).fill("EEG"),
    ]);
    expect(channels.every((c) => at(c.children, "unit") === "microvolts")).toBe(true);
    expect(at(d.desc, "acquisition/manufacturer")).toBe("Master & Dynamic");
    expect(at(d.desc, "acquisition/model")).toBe("MW75 Neuro");
    expect(at(d.desc, "acquisition/serial_number")).toBe("00:11:22:33:44:55");
    expect(at(d.desc, "acquisition/synthetic")).toBe("true");
    expect(at(d.desc, "bridge/device_id")).toBe("sim-2");
    expect(at(d.desc, "bridge/bridge_id")).toBe("lab-pc");
    expect(at(d.desc, "bridge/version")).toBe("0.1.0");
    const noAddress = eegDescription("N", { ...facts, address: null, synthetic: false });
    expect(at(noAddress.desc, "acquisition/serial_number")).toBe("sim-2");
    expect(at(noAddress.desc, "acquisition/synthetic")).toBe("false");
  });

  test("the marker outlet: one irregular string channel, source_id <bridge_id>/<device_id>/markers", () => {
    expect(markerDescription("MW75_EEG", facts)).toMatchObject({
      type: "Markers",
      channelCount: 1,
      channelFormat: "string",
      nominalSrate: 0,
      sourceId: "lab-pc/sim-2/markers",
    });
  });
});

test("a bridge's marker outlet is recognised (the inlet never reads one: markers would circle)", () => {
  expect(isBridgeMarkerOutlet(markerDescription("MW75_EEG", facts))).toBe(true);
  expect(isBridgeMarkerOutlet(eegDescription("MW75_EEG", facts))).toBe(false);
  // PsychoPy's, OpenSesame's or any other tool's marker stream is read
  const psychopy = { type: "Markers", name: "PsychoPy_Markers", sourceId: "psychopy-1" };
  expect(isBridgeMarkerOutlet(psychopy)).toBe(false);
  expect(isBridgeMarkerOutlet({ ...psychopy, name: "Stim", sourceId: "x/markers" })).toBe(false);
});

describe("EegChunker", () => {
  // a clock whose Unix time is 1000 s ahead of its monotonic time
  const mono = { t: 5 };
  const time = lslTime(() => mono.t, () => (mono.t + 1000) * 1000);

  test("values in the order REF, DRL, Ch1…Ch12 as float32 of the block's µV; times mapped to LSL", () => {
    const block = makeBlock(range(10, 15), (seq, signal) => seq * 100 + signal + 0.1);
    const { values, timestamps } = new EegChunker(time).chunk(block);
    expect(values.length).toBe(5 * 14);
    for (let i = 0; i < 5; i++) {
      const seq = 10 + i;
      expect(values[i * 14]).toBe(Math.fround(seq * 100 + 12 + 0.1)); // REF
      expect(values[i * 14 + 1]).toBe(Math.fround(seq * 100 + 13 + 0.1)); // DRL
      for (let c = 0; c < 12; c++) {
        expect(values[i * 14 + 2 + c]).toBe(Math.fround(seq * 100 + c + 0.1));
      }
      expect(timestamps[i]).toBeCloseTo(block.time[i]! - 1000, 9);
    }
  });

  test("±Infinity becomes NaN (a non-finite value stays NaN), and buffers shrink to each block", () => {
    const block = makeBlock(range(0, 3), () => 1);
    (block.channels as Float64Array)[12 + 4] = Infinity;
    (block.nonFinite as Uint16Array)[1] = 1 << 4;
    const chunker = new EegChunker(time);
    const { values } = chunker.chunk(block);
    expect(Number.isNaN(values[14 + 2 + 4])).toBe(true);
    expect(values[14 + 2 + 3]).toBe(1);
    const small = chunker.chunk(makeBlock(range(3, 4), () => 2));
    expect(small.values.length).toBe(14);
    expect(small.timestamps.length).toBe(1);
  });
});
