/**
 * @module Recording commands that arrive together (issue 18 item 12) and recordings that end up
 * empty (item 18): per device the commands are answered in arrival order, one start wins, a start
 * then a stop in one TCP write ends stopped, and no file is left without a sample in it.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { RUNTIMES } from "../_support/server-process.ts";
import type { Runtime } from "../_support/server-process.ts";
import type { Msg, WsClient } from "../_support/ws-client.ts";
import { isStatus, openWelcomed, withServer } from "../_support/conformance/helpers.ts";
import { tempDir, until } from "../_support/conformance/recording-helpers.ts";

/** The files of `dir` (dot-files are atomic metadata writes in flight) with their sizes. */
function files(dir: string): Record<string, number> {
  if (!existsSync(dir)) return {};
  const names = readdirSync(dir).filter((n) => !n.startsWith(".")).sort();
  return Object.fromEntries(names.map((n) => [n, statSync(join(dir, n)).size]));
}

/** The replies (ack or error) of `c` to the ids in `ids`, in the order they arrived. */
function repliesTo(c: WsClient, ids: string[]): Msg[] {
  return c.messages.filter((m) =>
    typeof m.id === "string" && ids.includes(m.id) &&
    (m.type === "command_ack" || m.type === "error")
  );
}

const code = (m: Msg) => (m.type === "error" ? String(m.data["code"]) : "ack");
const recordingOf = (m: Msg) => (m.data["recording"] ?? {}) as Record<string, unknown>;

/** Runs `body` against a bridge streaming the simulator into a fresh recordings directory. */
async function withRecordingBridge(
  runtime: Runtime,
  body: (dir: string, clients: [WsClient, WsClient]) => Promise<void>,
): Promise<void> {
  const tmp = tempDir(`mw75-rec-race-${runtime}-`);
  const dir = join(tmp.dir, "recordings");
  try {
    await withServer(
      runtime,
      ["--recordings-dir", dir, "--max-clients", "3"],
      async (_srv, open) => {
        const { c: a } = await openWelcomed(open);
        const { c: b } = await openWelcomed(open);
        await a.request("connect", {});
        await a.next(isStatus("connected"), 5000);
        await body(dir, [a, b]);
      },
    );
  } finally {
    tmp.remove();
  }
}

/** Ten starts from two clients at once (two TCP writes, not awaited): exactly one ack, nine RECORDING_ALREADY_ACTIVE, one set of files. */
async function burstOfStarts(runtime: Runtime): Promise<void> {
  await withRecordingBridge(runtime, async (dir, [a, b]) => {
    const ids = Array.from({ length: 10 }, (_, i) => `start-${i}`);
    const frames = ids.map((id, i) => ({
      id,
      type: "start_recording",
      data: { session_name: `burst-${i}`, formats: ["bdf", "csv"] },
    }));
    a.sendTogether(frames.slice(0, 5));
    b.sendTogether(frames.slice(5));
    // 10 s: a start creates three files and a metadata file; it takes tens of ms even on a loaded machine
    await until(
      () => repliesTo(a, ids).length + repliesTo(b, ids).length === 10,
      10_000,
      "an answer to each of the ten starts",
    );
    const replies = [...repliesTo(a, ids), ...repliesTo(b, ids)];
    const acks = replies.filter((m) => m.type === "command_ack");
    expect(replies.map(code).sort()).toEqual(
      ["ack", ...Array<string>(9).fill("RECORDING_ALREADY_ACTIVE")].sort(),
    );
    const winner = String(recordingOf(acks[0]!)["session_name"]);
    // the refused starts made no file; only the winner's are there
    expect(
      Object.keys(files(dir)).filter((n) =>
        !n.startsWith(`${winner}.`) && !n.startsWith(`${winner}_`)
      ),
    ).toEqual([]);
    const stop = await a.request("stop_recording", {}, 10_000);
    expect([stop.type, recordingOf(stop)["session_name"], recordingOf(stop)["state"]]).toEqual([
      "command_ack",
      winner,
      "stopped",
    ]);
    // nothing left running: a second stop has nothing to stop
    expect((await a.request("stop_recording", {}, 10_000)).data["code"]).toBe("NOT_RECORDING");
  });
}

/** `start_recording` then `stop_recording` in one TCP write: both acknowledged, in that order, and the recording is stopped. */
async function startThenStopTogether(runtime: Runtime): Promise<void> {
  await withRecordingBridge(runtime, async (dir, [a]) => {
    for (let i = 0; i < 3; i++) {
      const ids = [`go-${i}`, `halt-${i}`];
      a.sendTogether([
        {
          id: ids[0],
          type: "start_recording",
          data: { session_name: `pair-${i}`, formats: ["bdf", "csv"] },
        },
        { id: ids[1], type: "stop_recording", data: {} },
      ]);
      // 10 s: a start plus a stop that completes at most one 1-s data record (1.5 s wait at most)
      await until(() => repliesTo(a, ids).length === 2, 10_000, `both answers of try ${i}`);
      const replies = repliesTo(a, ids);
      expect(replies.map((m) => [m.id, code(m)])).toEqual([[ids[0], "ack"], [ids[1], "ack"]]);
      expect([recordingOf(replies[1]!)["state"], recordingOf(replies[1]!)["failure"]]).toEqual([
        "stopped",
        undefined,
      ]);
      const status = await a.request("recording_status", {});
      expect([status.data["session_name"], status.data["state"]]).toEqual([`pair-${i}`, "stopped"]);
    }
    // whatever a stopped recording left holds data: no empty file
    expect(Object.entries(files(dir)).filter(([, bytes]) => bytes === 0)).toEqual([]);
  });
}

/**
 * A recording stopped before its first sample (started while the device is idle): its empty
 * files are removed and the stop ack says so; the name can be used again.
 */
async function stoppedBeforeFirstSample(runtime: Runtime): Promise<void> {
  const tmp = tempDir(`mw75-rec-empty-${runtime}-`);
  const dir = join(tmp.dir, "recordings");
  try {
    await withServer(runtime, ["--recordings-dir", dir], async (_srv, open) => {
      const { c } = await openWelcomed(open);
      for (let round = 0; round < 2; round++) {
        const start = await c.request("start_recording", {
          session_name: "nothing",
          formats: ["bdf", "edf", "csv", "raw"],
        }, 10_000);
        expect([start.type, recordingOf(start)["state"]]).toEqual(["command_ack", "recording"]);
        const stop = await c.request("stop_recording", {}, 10_000);
        const rec = recordingOf(stop);
        expect([stop.type, rec["state"], rec["samples"], rec["files"]]).toEqual([
          "command_ack",
          "stopped",
          0,
          [],
        ]);
        expect(String(rec["discarded"])).toContain("no sample");
        expect(files(dir)).toEqual({});
      }
      const status = await c.request("recording_status", {});
      expect([status.data["session_name"], status.data["files"]]).toEqual(["nothing", []]);
      expect(
        ((await (await fetch(`${_srv.http}/recordings`)).json()) as { recordings: unknown[] })
          .recordings,
      ).toEqual([]);
    });
  } finally {
    tmp.remove();
  }
}

const CASES: Array<[string, (runtime: Runtime) => Promise<void>]> = [
  ["ten starts in a burst from two clients: one ack, nine RECORDING_ALREADY_ACTIVE", burstOfStarts],
  ["start then stop in one TCP write: acked in order, stopped", startThenStopTogether],
  ["a recording stopped before its first sample leaves no file", stoppedBeforeFirstSample],
];

describe("recording command races and empty recordings", () => {
  for (const runtime of RUNTIMES) {
    for (const [name, run] of CASES) test(`${name} (${runtime})`, () => run(runtime), 40_000);
  }
});
