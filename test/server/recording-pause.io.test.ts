/**
 * @module Recording pause end to end (issue 23, docs/recording.md "Pause and resume"), with the
 * bridge under the runtime running this file: a BDF + EDF + CSV recording paused mid-stream and
 * resumed; MNE reads both files with the samples written and the `paused X s` annotation at the
 * resume point, the CSV has no row in the paused seqs; and the refusals (NOT_RECORDING,
 * RECORDING_NOT_PAUSED, PERMISSION_DENIED) each leave the server and the other client working.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BridgeClientError, connect } from "../../src/client/mod.ts";
import { currentRuntime, webSocketClass } from "../_support/client/live-server.ts";
import { authFile, bearer, welcomed } from "../_support/conformance/access-helpers.ts";
import type { OpenWith } from "../_support/conformance/access-helpers.ts";
import { isStatus, withServer } from "../_support/conformance/helpers.ts";
import { csvRows, tempDir, until } from "../_support/conformance/recording-helpers.ts";
import { readWithMne } from "../_support/conformance/recording-readers.ts";
import { latestSeq, nextRecording } from "../_support/conformance/recording-seq-helpers.ts";
import type { ServerProcess } from "../_support/server-process.ts";
import type { Msg, WsClient } from "../_support/ws-client.ts";

const runtime = currentRuntime();
const WebSocket = await webSocketClass();
// a hang guard for a loaded 2-core machine; the files test takes ~5 s, the errors test ~2 s
const TEST_MS = 60_000;
/** Seqs to wait for in each phase: 0.6 s of samples, a few seconds at most on a busy machine. */
const PHASE = 300;
const CTL = "ctl-5e0c1d7a9b22";
const OBS = "obs-0a7f3c9e8d41";

type Data = Record<string, unknown>;
const recordingOf = (m: Msg) => m.data["recording"] as Data;

/** A bridge with a recordings directory and a control and an observe token; both clients stream eeg_batch. */
async function withPauseBridge(
  body: (srv: ServerProcess, ctl: WsClient, obs: WsClient, dir: string) => Promise<void>,
): Promise<void> {
  const tmp = tempDir(`mw75-pause-${runtime}-`);
  const auth = authFile([
    { token: CTL, role: "control", name: "lab" },
    { token: OBS, role: "observe", name: "viewer" },
  ]);
  const dir = join(tmp.dir, "recordings");
  try {
    await withServer(
      runtime,
      ["--recordings-dir", dir, "--auth", auth.path, "--max-clients", "4"],
      async (srv, o) => {
        const open = o as OpenWith;
        const ctl = await welcomed(await open(bearer(CTL)));
        const obs = await welcomed(await open(bearer(OBS)));
        for (const c of [ctl, obs]) {
          await c.request("unsubscribe", { stream: "eeg" });
          await c.request("subscribe", { stream: "eeg_batch", format: "json" });
          await c.request("subscribe", { stream: "events" });
        }
        await ctl.request("connect", {});
        await ctl.next(isStatus("connected"), 5000);
        await body(srv, ctl, obs, dir);
      },
    );
  } finally {
    auth.cleanup();
    tmp.remove();
  }
}

/** Waits until `c` has seen `n` more samples than now (5 s bound: 0.6 s of samples plus a busy machine). */
async function samplesPass(c: WsClient, n: number, what: string): Promise<void> {
  const from = latestSeq(c.messages);
  await until(() => latestSeq(c.messages) >= from + n, 5000, what);
}

/** A command's ack (the test fails with the error otherwise). */
async function ack(c: WsClient, type: string, data: Data = {}): Promise<Msg> {
  const m = await c.request(type, data, 10_000);
  expect({ type: m.type, code: m.data["code"] ?? null }).toEqual({
    type: "command_ack",
    code: null,
  });
  return m;
}

/** The error code of `c`'s reply to `type`. */
async function refusal(c: WsClient, type: string): Promise<unknown> {
  const m = await c.request(type, {}, 10_000);
  return m.type === "error" ? m.data["code"] : `${m.type} ${JSON.stringify(m.data)}`;
}

describe(`recording pause (${runtime})`, () => {
  test(
    "paused seqs are in no file; MNE reads the samples written and 'paused X s' at the resume point",
    async () => {
      await withPauseBridge(async (srv, ctl, obs, dir) => {
        await ack(ctl, "start_recording", { session_name: "p", formats: ["bdf", "edf", "csv"] });
        await samplesPass(ctl, PHASE, "samples before the pause");
        const pausedAck = recordingOf(await ack(ctl, "pause_recording"));
        const pausedAt = Date.now();
        expect(pausedAck).toMatchObject({ state: "paused", pauses: 1 });
        // broadcast as a start is: the `recording` message and the event, to the other client too
        expect((await nextRecording(obs, "paused", 5000)).data["samples"]).toBe(
          pausedAck["samples"],
        );
        await obs.next((m) => isRecordingEvent(m, "paused"), 5000, "the paused recording event");
        const placed = await ack(ctl, "marker", { label: "pm" });
        await samplesPass(ctl, PHASE, "samples while paused");
        const status = await ctl.request("recording_status", {});
        expect(status.data).toMatchObject({ state: "paused", samples: pausedAck["samples"] });
        expect(status.data["paused_s"]).toBeGreaterThan(0); // the pause under way, as far as seen
        const listed = await fetch(`${srv.http}/recordings`, bearer(CTL));
        const list = ((await listed.json()) as { recordings: Data[] }).recordings;
        expect(list.find((r) => r["session_name"] === "p")).toMatchObject({ state: "paused" });
        const resumedAck = recordingOf(await ack(ctl, "resume_recording"));
        const pausedMs = Date.now() - pausedAt;
        expect(resumedAck).toMatchObject({ state: "recording", samples: pausedAck["samples"] });
        await nextRecording(obs, "recording", 5000);
        await samplesPass(ctl, PHASE, "samples after the resume");
        const stopped = recordingOf(await ack(ctl, "stop_recording"));
        expect(stopped).toMatchObject({ state: "stopped", pauses: 1, gaps: 0 });

        const a = pausedAck["samples"] as number; // written before the pause: exact, from the ack
        const first = pausedAck["first_seq"] as number;
        const written = stopped["samples"] as number;
        const skipped = Math.round((stopped["paused_s"] as number) * 500);
        // the CSV: seqs consecutive but for one jump, over exactly the paused seqs, right after `a` rows
        const rows = csvRows(readFileSync(join(dir, "p.csv"), "utf8")).slice(1);
        const seqs = rows.map((r) => Number(r.at(-2)));
        expect(seqs.length).toBe(written);
        expect(seqs[a - 1]).toBe(first + a - 1);
        expect(seqs[a]).toBe(first + a + skipped);
        const jumps = seqs.slice(1).flatMap((s, i) => (s === seqs[i]! + 1 ? [] : [[seqs[i], s]]));
        expect(jumps).toEqual([[first + a - 1, first + a + skipped]]);
        expect(written).toBeGreaterThanOrEqual(a + PHASE); // the resumed part is in
        // the pause lasted about as long as the acks were apart: ±0.5 s (block granularity,
        // command and ack latency on a loaded machine)
        expect(Math.abs(skipped / 500 - pausedMs / 1000)).toBeLessThan(0.5);
        expect(stopped["duration_s"]).toBe(written / 500); // recorded time, pause out, no gap

        const [bdf, edf] = await Promise.all(
          ["bdf", "edf"].map((x) => readWithMne(join(dir, `p.${x}`))),
        );
        const text = `paused ${Number((skipped / 500).toFixed(3))} s`;
        for (const mne of [bdf!, edf!]) {
          expect(mne.n_times).toBe(Math.ceil(written / 500) * 500); // the last record padded, if at all
          const notes = mne.annotations.filter((n) => n.description.startsWith("paused"));
          expect(notes.map((n) => [n.description, n.onset])).toEqual([[text, a / 500]]);
        }
        // no fill at the pause: the samples either side of it are the CSV's rows a-1 and a (½ count)
        for (const i of [a - 1, a]) {
          expect(Math.abs(bdf!.windows[0]!.values[0]![i]! - Number(rows[i]![5]))).toBeLessThan(
            0.012,
          );
        }
        const events = readFileSync(join(dir, "p_events.csv"), "utf8");
        const onset = (a / 500).toFixed(3);
        expect(events).toContain(`\n${onset},0.000,paused,${skipped},${first + a}\n`);
        const markerSeq = (placed.data["marker"] as Data)["seq"];
        expect(events).toContain(`\n${onset},0.000,pm (while paused),,${markerSeq}\n`);
      });
    },
    TEST_MS,
  );

  test(
    "refusals: NOT_RECORDING, RECORDING_NOT_PAUSED, PERMISSION_DENIED; everyone keeps working; the SDK",
    async () => {
      await withPauseBridge(async (srv, ctl, obs) => {
        const alive = async () => {
          await samplesPass(obs, 50, "the observer's stream after a refusal");
          expect((await ctl.request("recording_status", {})).type).toBe("recording");
        };
        expect(await refusal(ctl, "pause_recording")).toBe("NOT_RECORDING");
        expect(await refusal(ctl, "resume_recording")).toBe("NOT_RECORDING");
        expect(await refusal(obs, "pause_recording")).toBe("PERMISSION_DENIED");
        await alive();
        await ack(ctl, "start_recording", { session_name: "e", formats: ["csv"] });
        expect(await refusal(ctl, "resume_recording")).toBe("RECORDING_NOT_PAUSED");
        expect(await refusal(obs, "pause_recording")).toBe("PERMISSION_DENIED");
        await alive();
        expect(recordingOf(await ack(ctl, "pause_recording"))["state"]).toBe("paused");
        const again = await ack(ctl, "pause_recording"); // harmless: acknowledged, unchanged
        expect(again.data["message"]).toBe("e is already paused");
        expect(recordingOf(again)).toMatchObject({ state: "paused", pauses: 1 });
        expect(await refusal(obs, "resume_recording")).toBe("PERMISSION_DENIED");
        await alive();
        expect(recordingOf(await ack(ctl, "resume_recording"))["state"]).toBe("recording");
        // the SDK's methods: the same commands, a refusal as a BridgeClientError with its code
        const sdk = connect(`${srv.ws}/`, { WebSocket, eeg: false, token: CTL });
        try {
          expect((await sdk.pauseRecording()).recording.state).toBe("paused");
          expect((await sdk.resumeRecording()).recording.state).toBe("recording");
          const wrong = await sdk.resumeRecording().catch((e: unknown) => e);
          expect(wrong instanceof BridgeClientError ? wrong.code : wrong)
            .toBe("RECORDING_NOT_PAUSED");
        } finally {
          sdk.close();
        }
        const stopped = recordingOf(await ack(ctl, "stop_recording"));
        expect(stopped).toMatchObject({ state: "stopped", pauses: 2 });
        // one `recording` broadcast per change (not for the repeated pause)
        const isStopped = (m: Msg) => m.type === "recording" && m.data["state"] === "stopped";
        await until(() => obs.messages.some(isStopped), 5000, "the stop's broadcast");
        const states = obs.messages.filter((m) => m.type === "recording").map((m) =>
          m.data["state"]
        );
        expect(states).toEqual([
          "recording",
          "paused",
          "recording",
          "paused",
          "recording",
          "stopped",
        ]);
        expect(await refusal(ctl, "pause_recording")).toBe("NOT_RECORDING");
      });
    },
    TEST_MS,
  );
});

function isRecordingEvent(m: Msg, state: string): boolean {
  return m.type === "event" && m.data["event_type"] === "recording" &&
    (m.data["recording"] as Data)["state"] === state;
}
