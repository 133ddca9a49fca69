/**
 * @module Conformance scenarios for recordings that do not end well (docs/protocol/bridge-api.md §1, §4.1): the link
 * drops and reconnects mid-recording (one continuous BDF with the estimated gap, a raw file that
 * replays cleanly), and the server is SIGKILLed mid-recording (the restart finalises the files).
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { startServer } from "../server-process.ts";
import type { Runtime } from "../server-process.ts";
import { connectWs } from "../ws-client.ts";
import { delay, isStatus, openWelcomed, withServer } from "./helpers.ts";
import { BDF_CHECK, checkAnnotations, checkEdfData } from "./recording-checks.ts";
import { replayFigures } from "./recording-file-checks.ts";
import { Problems, readJson, tempDir, until } from "./recording-helpers.ts";
import {
  jumpsOf,
  latestSeq,
  recordingFirstSeq,
  untilBatchesCover,
} from "./recording-seq-helpers.ts";
import { decodeLines, readWithMne } from "./recording-readers.ts";
import { batchSamplesBySeq, isEvent } from "./stream-helpers.ts";
import type { Data } from "./stream-helpers.ts";

const RECORD_MS = 5000;
const HEADER_BYTES = 256 * 16;
const RECORD_BYTES = 14 * 500 * 3 + 768;

/** Samples in the whole data records of a BDF file of `bytes` bytes. */
const bdfSamples = (bytes: number) =>
  Math.max(0, Math.floor((bytes - HEADER_BYTES) / RECORD_BYTES)) * 500;

/** Scenario 5: `--sim-link-loss-ms 1500`, auto-reconnect: ~5 s across reconnects in one continuous BDF; the raw file replays. */
export async function recordingAcrossLinkLoss(runtime: Runtime): Promise<void> {
  const tmp = tempDir(`mw75-rec-loss-${runtime}-`);
  const p = new Problems(`a recording across link losses on ${runtime}`);
  try {
    let seen: {
      firstSeq: number;
      lastSeq: number;
      gaps: Data[];
      streamed: ReturnType<typeof batchSamplesBySeq>;
      stopped: Data;
    } | null = null;
    const args = [
      "--recordings-dir",
      tmp.dir,
      "--sim-link-loss-ms",
      "1500",
      "--reconnect-base-ms",
      "100",
    ];
    await withServer(runtime, args, async (_srv, open) => {
      const { c } = await openWelcomed(open);
      await c.request("unsubscribe", { stream: "eeg" });
      await c.request("subscribe", { stream: "eeg_batch" });
      await c.request("subscribe", { stream: "events" });
      await c.request("connect", { auto_reconnect: true });
      await c.next(isStatus("connected"), 5000);
      const from = c.messages.length;
      const started = Date.now();
      await c.request("start_recording", { session_name: "loss", formats: ["bdf", "raw"] }, 10_000);
      const estimated = () =>
        c.messages.slice(from).filter((m) => isEvent("gap")(m) && m.data["estimated"] === true);
      const first = await recordingFirstSeq(c);
      // stopped mid-record: the stop then waits ~0.5 s for the live stream to complete the last record
      const phase = () => (latestSeq(c.messages) - first + 1) % 500;
      await until(
        () =>
          Date.now() - started >= RECORD_MS && estimated().length >= 1 && phase() >= 200 &&
          phase() < 300,
        RECORD_MS + 8000,
        "a reconnect during the recording, then mid-record",
      );
      const stop = await c.request("stop_recording", {}, 10_000);
      const rec = (stop.data as Data)["recording"] as Data;
      await untilBatchesCover(c, rec, "the stopped recording's last samples");
      const firstSeq = rec["first_seq"] as number;
      seen = {
        firstSeq,
        lastSeq: firstSeq + Math.round(rec["duration_s"] * 500) - 1,
        gaps: estimated().map((m) => m.data as Data),
        streamed: batchSamplesBySeq(c.messages),
        stopped: rec,
      };
    });
    const { firstSeq, lastSeq, gaps, streamed, stopped } = seen!;
    const span = lastSeq - firstSeq + 1;
    p.equal(stopped["state"], "stopped", "the recording's state");
    const jumps = jumpsOf([...streamed.keys()].sort((a, b) => a - b));
    const inside = gaps.filter((g) => g["seq"] - g["missing"] > firstSeq && g["seq"] <= lastSeq);
    p.check(inside.length >= 1, "no reconnect inside the recording", JSON.stringify(gaps));
    for (const g of inside) {
      // the missing span is estimated from host time: ~100 ms of reconnect delay plus activation
      p.check(
        g["missing"] >= 25 && g["missing"] <= 500,
        "estimated gap implausible for a ~0.1 s reconnect",
        JSON.stringify(g),
      );
      p.check(
        jumps.some((j) => j.next === g["seq"] && j.missing === g["missing"]),
        "estimated gap event without the same seq jump in the stream",
        JSON.stringify(g),
      );
    }

    const bdf = await readWithMne(join(tmp.dir, "loss.bdf"));
    p.equal(bdf.n_times, span, "bdf: n_times ≠ seq span");
    checkEdfData(p, bdf, BDF_CHECK, firstSeq, span, streamed, lastSeq);
    checkAnnotations(p, bdf, "bdf", { firstSeq, span, markers: [], jumps, leadOff: [] });
    const meta = readJson(join(tmp.dir, "loss.json"));
    p.equal([meta["state"], meta["first_seq"], meta["duration_s"]], [
      "stopped",
      firstSeq,
      span / 500,
    ], "metadata state/first_seq/duration_s");

    const raw = join(tmp.dir, "loss.raw");
    const replay = await replayFigures(runtime, raw);
    p.equal(replay["checksum_failures"], 0, "raw replay: checksum failures");
    // what the device sent inside the recording: its span less the reconnect gaps. Not the batches
    // this client received: a loaded machine may shed a few of them (a slow client's loss, not the
    // recording's). ±30 for the whole link chunks the raw file holds at its two ends.
    const sent = span - inside.reduce((sum, g) => sum + (g["missing"] as number), 0);
    p.check(
      Math.abs(replay["valid"] - sent) <= 30,
      "raw replay: valid packets far from the samples the device sent during the recording",
      () => `${replay["valid"]} vs ${sent}`,
    );
    const lines = await decodeLines(runtime, raw);
    p.equal(lines.at(-1)!["checksum_failures"], 0, "raw decode: checksum failures");
    p.check(
      lines.filter((l) => l["type"] === "boundary").length >= inside.length,
      "raw: fewer boundary records than reconnects",
      () => `${lines.filter((l) => l["type"] === "boundary").length} < ${inside.length}`,
    );
  } finally {
    tmp.remove();
  }
  p.assertNone();
}

/** Scenario 6: SIGKILL mid-recording; the restart finalises it (logged, "recovered") and MNE reads all but the last second. */
export async function recordingSurvivesCrash(runtime: Runtime): Promise<void> {
  const tmp = tempDir(`mw75-rec-crash-${runtime}-`);
  const p = new Problems(`a recording killed by SIGKILL on ${runtime}`);
  const args = ["--recordings-dir", tmp.dir];
  try {
    const srv = await startServer(runtime, args);
    let firstSeq = -1;
    let streamed: ReturnType<typeof batchSamplesBySeq>;
    try {
      const c = await connectWs(`${srv.ws}/`);
      await c.request("unsubscribe", { stream: "eeg" });
      // small batches: what the client holds at the kill is within ~20 ms of what the server had
      await c.request("subscribe", { stream: "eeg_batch", num_samples: 10, interval_ms: 20 });
      await c.request("connect", {});
      await c.next(isStatus("connected"), 5000);
      await delay(500); // mid-stream, so first_seq is not 0
      await c.request(
        "start_recording",
        { session_name: "crash", formats: ["bdf", "csv"] },
        10_000,
      );
      firstSeq = await recordingFirstSeq(c);
      // the observation below starts once a whole data record (500 samples) was streamed
      await until(
        () => latestSeq(c.messages) - firstSeq + 1 >= 500,
        5000, // 1 s of samples; 4 s more for a loaded machine
        "the recording's first data record",
      );
      // while recording, what is on disk lags the stream by at most a second (a kill at any moment loses ≤ 1 s)
      const file = join(tmp.dir, "crash.bdf");
      const worst = { lag: 0, at: 0 };
      const pollEnd = Date.now() + 2000;
      while (Date.now() < pollEnd) {
        const lag = latestSeq(c.messages) - firstSeq + 1 - bdfSamples(statSync(file).size);
        if (lag > worst.lag) {
          Object.assign(worst, { lag, at: latestSeq(c.messages) - firstSeq + 1 });
        }
        await delay(10);
      }
      // a record (500 samples) written as soon as it completes lags by under 500 plus what the
      // client received between the server's write and the test's stat (ms on an idle machine):
      // 250 samples (500 ms) are allowed for that on a loaded one (637 was seen in CI: an async
      // file write held back ~270 ms); a record held back for a second's flush would show ≥ 1000
      p.check(
        worst.lag <= 750,
        "bdf on disk lags the stream by more than 1 s while recording",
        () => `${worst.lag} samples behind after ${worst.at} streamed`,
      );
      // killed late in a record: the previous record closed ~0.8 s ago, so a 1-s flush has written it
      await until(
        () => (latestSeq(c.messages) - firstSeq + 1) % 500 >= 380,
        2000,
        "a kill late in a data record",
      );
      streamed = batchSamplesBySeq(c.messages);
      process.kill(srv.child.pid!, "SIGKILL");
      await Promise.race([srv.exited, delay(5000)]);
      c.close();
    } finally {
      srv.kill();
    }
    const got = [...streamed.keys()].filter((s) => s >= firstSeq);
    const lastStreamed = Math.max(...got);

    await withServer(runtime, args, async (srv2) => {
      const line = "Recording crash was left open by an unclean stop; finalised";
      await until(
        () => srv2.stderr().includes(line),
        5000,
        "the restart's log line about finalising the recording",
      ).catch(() => {});
      p.check(
        srv2.stderr().includes(line),
        "the restarted server did not log that it finalised the recording",
        () => srv2.stderr().slice(0, 600),
      );
      const list = (await (await fetch(`${srv2.http}/recordings`)).json()) as Data;
      p.check(
        (list["recordings"] as Data[]).some((r) => r["session_name"] === "crash"),
        "GET /recordings after the restart: the recording is not listed",
      );
    });
    const meta = readJson(join(tmp.dir, "crash.json"));
    p.equal(meta["state"], "recovered", "metadata state after the restart");
    p.equal(
      meta["first_seq"],
      firstSeq,
      "metadata first_seq of the recovered recording ≠ the recording's first sample",
    );
    const bdf = await readWithMne(join(tmp.dir, "crash.bdf"));
    p.check(
      bdf.n_times >= got.length - 500,
      "bdf: misses more than the last second before the kill",
      () =>
        `n_times ${bdf.n_times}, streamed before the kill ${got.length} (seq ${firstSeq}…${lastStreamed})`,
    );
    p.note(
      `bdf holds ${bdf.n_times} samples; the client had ${got.length} of the recording at the kill (${
        got.length - bdf.n_times
      } behind)`,
    );
    checkEdfData(p, bdf, BDF_CHECK, firstSeq, bdf.n_times, streamed, lastStreamed);
    const csv = readFileSync(join(tmp.dir, "crash.csv"), "utf8");
    p.check(csv.endsWith("\n"), "csv: the last row is cut");
    p.check(
      csv.split("\n").length - 2 >= got.length - 500,
      "csv: misses more than the last second before the kill",
      () => `${csv.split("\n").length - 2} rows`,
    );
  } finally {
    tmp.remove();
  }
  p.assertNone();
}
