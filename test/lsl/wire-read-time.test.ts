/** @module Time-correction maths (docs/protocol/lsl-wire.md §7) with the captured probe replies. */
import { describe, expect, test } from "bun:test";
import {
  estimateTime,
  parseTimeReply,
  type Probe,
  timeRequest,
} from "../../src/lsl/wire/time-estimate.ts";
import { capturedDatagrams } from "../_support/lsl-captures-inlet.ts";

describe("timedata", () => {
  const datagrams = capturedDatagrams("liblsl-outlet-inlet.udp.txt");

  test("the request has the captured layout", () => {
    const captured = datagrams.find((d) => d.text.startsWith("LSL:timedata"))!.text;
    expect(timeRequest(1804289383, 551.080614446)).toBe(captured);
  });

  test("the captured reply parses; another wave's or a garbled reply is null", () => {
    const reply = datagrams.find((d) => d.text.startsWith(" 1804289383"))!.text;
    expect(parseTimeReply(reply, 1804289383)).toEqual({
      t0: 551.080614446,
      t1: 551.080916273,
      t2: 551.0810830299999,
    });
    expect(parseTimeReply(reply, 7)).toBeNull();
    expect(parseTimeReply(" 7 1 2", 7)).toBeNull();
    expect(parseTimeReply(" 7 1 x 3", 7)).toBeNull();
  });

  test("the estimate keeps the smallest round trip: correction = local − remote", () => {
    // remote clock = local − 100 s; probe i has a symmetric delay of (i+1) ms, one asymmetric
    const probes: Probe[] = [];
    for (let i = 0; i < 8; i++) {
      const t0 = 10 + i * 0.064;
      const d = (i + 1) / 1000;
      probes.push({ t0, t1: t0 + d - 100, t2: t0 + d - 100 + 0.0001, t3: t0 + 2 * d + 0.0001 });
    }
    const estimate = estimateTime(probes)!;
    expect(estimate.rtt).toBeCloseTo(0.002, 12);
    expect(estimate.timeCorrection).toBeCloseTo(100, 9);
    // a faster but asymmetric probe wins and its offset is taken (out 0, back 1 ms → error 0.5 ms)
    const fast = { t0: 20, t1: 20 - 100, t2: 20 - 100, t3: 20.001 };
    expect(estimateTime([...probes, fast])!.timeCorrection).toBeCloseTo(100 + 0.0005, 9);
  });

  test("fewer than 6 answered probes give no estimate", () => {
    const p = { t0: 0, t1: 0, t2: 0, t3: 0 };
    expect(estimateTime(Array(5).fill(p))).toBeNull();
    expect(estimateTime(Array(6).fill(p))).toEqual({ timeCorrection: -0, rtt: 0 });
  });
});
