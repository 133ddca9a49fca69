/**
 * @module Markers around a recording's start (issue 18 item 13): a marker sent with `start_recording`
 * in one TCP write is written to the recording, and one the running recording would leave out (stamped
 * before its first sample) is refused instead of acknowledged.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RUNTIMES } from "../_support/server-process.ts";
import type { Runtime } from "../_support/server-process.ts";
import type { Msg, WsClient } from "../_support/ws-client.ts";
import { isStatus, openWelcomed, withServer } from "../_support/conformance/helpers.ts";
import { tempDir, until } from "../_support/conformance/recording-helpers.ts";
import { annotationsOf, parseEdf } from "../recording/edf-reader.ts";

type Data = Record<string, unknown>;

/** Runs `body` against a bridge streaming the simulator into a fresh recordings directory. */
async function withStreamingBridge(
  runtime: Runtime,
  body: (dir: string, c: WsClient) => Promise<void>,
): Promise<void> {
  const tmp = tempDir(`mw75-rec-marker-${runtime}-`);
  const dir = join(tmp.dir, "recordings");
  try {
    await withServer(runtime, ["--recordings-dir", dir], async (_srv, open) => {
      const { c } = await openWelcomed(open);
      await c.request("connect", {});
      await c.next(isStatus("connected"), 5000);
      await body(dir, c);
    });
  } finally {
    tmp.remove();
  }
}

/** The answer (ack or error) of `c` to the request `id`, once it came; bounded. */
async function answerTo(c: WsClient, id: string, timeoutMs: number): Promise<Msg> {
  const isAnswer = (m: Msg) => m.id === id && (m.type === "command_ack" || m.type === "error");
  await until(() => c.messages.some(isAnswer), timeoutMs, `the answer to ${id}`);
  return c.messages.find(isAnswer)!;
}

/** Polls `recording_status` until the recording has its first sample; bounded. */
async function untilFirstSample(c: WsClient): Promise<Data> {
  // 5 s: the simulator streams 500 samples a second, so the first one is due within milliseconds
  const deadline = Date.now() + 5000;
  for (;;) {
    const status = (await c.request("recording_status", {})).data;
    if (status["first_seq"] !== null && status["first_seq"] !== undefined) return status;
    if (Date.now() > deadline) throw new Error("no first sample in the recording within 5 s");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The stopped recording's `_events.csv` rows and its BDF annotations' texts. */
async function stopAndRead(
  dir: string,
  c: WsClient,
  name: string,
): Promise<{ rows: string[]; annotations: string[] }> {
  // 10 s: a stop completes at most one 1-s data record (1.5 s wait at most)
  const stop = await c.request("stop_recording", {}, 10_000);
  expect(stop.type).toBe("command_ack");
  const rows = readFileSync(join(dir, `${name}_events.csv`), "utf8").trim().split("\n").slice(1);
  const bdf = parseEdf(new Uint8Array(readFileSync(join(dir, `${name}.bdf`))));
  return { rows, annotations: annotationsOf(bdf).map((a) => a.text) };
}

/** `start_recording` and `marker` in one TCP write: both acknowledged, and the marker is in `_events.csv` and the BDF. */
async function markerWithTheStart(runtime: Runtime): Promise<void> {
  await withStreamingBridge(runtime, async (dir, c) => {
    c.sendTogether([
      { id: "go", type: "start_recording", data: { session_name: "burst", formats: ["bdf"] } },
      { id: "mark", type: "marker", data: { label: "with-the-start", value: 7 } },
    ]);
    // 10 s: a start creates its files in tens of ms even on a loaded machine
    const [go, mark] = [await answerTo(c, "go", 10_000), await answerTo(c, "mark", 10_000)];
    expect([go.type, mark.type]).toEqual(["command_ack", "command_ack"]);
    await untilFirstSample(c);
    const { rows, annotations } = await stopAndRead(dir, c, "burst");
    // held until the first sample, so placed at onset 0
    expect(
      rows.filter((r) => r.includes("with-the-start")).map((r) =>
        r.split(",").slice(0, 4).join(",")
      ),
    ).toEqual([
      "0.000,0.000,with-the-start,7",
    ]);
    expect(annotations.filter((t) => t.includes("with-the-start"))).toEqual(["with-the-start (7)"]);
  });
}

/** A marker stamped before the first sample of a running recording: INVALID_PARAMETERS, not an ack, and not written. */
async function markerBeforeTheFirstSample(runtime: Runtime): Promise<void> {
  await withStreamingBridge(runtime, async (dir, c) => {
    // a stream of at least 0.5 s before the recording, so a time before its first sample has a seq of its own
    let probe: Data = {};
    // 5 s: the simulator reaches seq 250 in half a second
    const deadline = Date.now() + 5000;
    while (!(Number(probe["seq"]) > 250)) {
      if (Date.now() > deadline) throw new Error("the stream did not reach seq 250 within 5 s");
      probe = (await c.request("marker", { label: "probe" })).data["marker"] as Data;
      await new Promise((r) => setTimeout(r, 20));
    }
    const start = await c.request(
      "start_recording",
      { session_name: "late", formats: ["bdf"] },
      10_000,
    );
    expect(start.type).toBe("command_ack");
    const status = await untilFirstSample(c);
    // 0.2 s before the probe: about 100 samples before the recording's first sample, still within the 60-s window
    const early = await c.request("marker", {
      label: "too-early",
      timestamp: Number(probe["timestamp"]) - 0.2,
    });
    expect([early.type, early.data["code"]]).toEqual(["error", "INVALID_PARAMETERS"]);
    expect(String(early.data["message"])).toContain(
      `before the first sample of the running recording late`,
    );
    expect(String(early.data["message"])).toContain(`first_seq ${String(status["first_seq"])}`);
    const later = await c.request("marker", { label: "in-time" });
    expect(later.type).toBe("command_ack");
    const { rows, annotations } = await stopAndRead(dir, c, "late");
    expect(rows.map((r) => r.split(",")[2])).toEqual(["in-time"]);
    expect(annotations.filter((t) => t.includes("too-early") || t.includes("in-time"))).toEqual([
      "in-time",
    ]);
  });
}

const CASES: Array<[string, (runtime: Runtime) => Promise<void>]> = [
  [
    "start_recording and marker in one write: the marker is in _events.csv and the BDF",
    markerWithTheStart,
  ],
  [
    "a marker stamped before the first sample of a running recording is refused, not acked",
    markerBeforeTheFirstSample,
  ],
];

describe("markers around a recording's start", () => {
  for (const runtime of RUNTIMES) {
    for (const [name, run] of CASES) test(`${name} (${runtime})`, () => run(runtime), 40_000);
  }
});
