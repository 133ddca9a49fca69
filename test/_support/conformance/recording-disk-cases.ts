/** @module Conformance scenario for a recording on a full disk (docs/protocol/bridge-api.md §4): RECORDING_FAILED broadcast, state failed, the stream goes on, MNE reads the partial BDF. */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Runtime } from "../server-process.ts";
import { connectWs } from "../ws-client.ts";
import type { Msg, WsClient } from "../ws-client.ts";
import { delay, isEeg, isError, isStatus, openWelcomed, withServer } from "./helpers.ts";
import { BDF_CHECK, checkEdfData } from "./recording-checks.ts";
import { Problems, readJson, seen, snapshot, tempDir, until } from "./recording-helpers.ts";
import { readWithMne } from "./recording-readers.ts";
import type { BatchSample, Data } from "./stream-helpers.ts";
import { smallDisk, startUnderFileLimit, unmount } from "./small-disk.ts";
import type { Served } from "./small-disk.ts";

/** `eeg_data` messages as samples by seq (the fields the BDF comparison reads). */
function eegSamples(msgs: Msg[]): Map<number, BatchSample> {
  const out = new Map<number, BatchSample>();
  for (const m of msgs.filter(isEeg)) {
    const d = m.data as Data;
    out.set(d["seq"], {
      seq: d["seq"],
      time: d["timestamp"],
      counter: d["counter"],
      ref: d["ref"],
      drl: d["drl"],
      channels: d["channels"],
      leadOff: d["lead_off"],
    });
  }
  return out;
}

/** Scenario 7: record until the disk is full: RECORDING_FAILED broadcast, state "failed", the stream goes on, MNE reads the partial BDF. */
export async function recordingDiskFull(runtime: Runtime): Promise<void> {
  const tmp = tempDir(`mw75-rec-full-${runtime}-`);
  const dir = join(tmp.dir, "small");
  mkdirSync(dir);
  const mode = smallDisk(dir);
  const p = new Problems(`a full recordings disk (${mode}) on ${runtime}`);
  let streamed = new Map<number, BatchSample>();
  try {
    const body = async (c: WsClient, server: Served) => {
      await c.request("connect", {});
      await c.next(isStatus("connected"), 5000);
      await c.request("start_recording", { session_name: "full", formats: ["bdf", "csv"] }, 10_000);
      let exit: unknown = null;
      void server.exited.then((code) => (exit = code));
      await until(
        () => exit !== null || c.messages.some(isError("RECORDING_FAILED")),
        20_000,
        "the RECORDING_FAILED broadcast",
      );
      // colour codes stripped: Deno colours its stack traces
      const log = () =>
        // deno-lint-ignore no-control-regex -- the escape byte is what is being matched
        server.stderr().replace(/\x1b\[[0-9;]*m/g, "").split("Recording full started").at(-1)!
          .slice(0, 900);
      streamed = eegSamples(c.messages);
      if (exit !== null) await delay(300); // the last of its stderr
      if (
        !p.check(
          exit === null,
          "the server died when the disk filled up",
          () => `exit ${String(exit)}; stderr after the start: ${log()}`,
        )
      ) return;
      const failed = await seen(
        c,
        isError("RECORDING_FAILED"),
        1000,
        "the RECORDING_FAILED broadcast",
      );
      const at = c.messages.indexOf(failed);
      p.check(
        /ENOSPC|EFBIG/.test(String(failed.data["message"])),
        "RECORDING_FAILED message does not name the OS error",
        String(failed.data["message"]),
      );
      const rec = await seen(
        c,
        (m) => m.type === "recording" && m.data["state"] === "failed",
        5000,
        "the recording broadcast with state failed",
      );
      p.check(
        typeof (rec.data as Data)["failure"] === "string",
        "the failed recording object has no failure text",
      );
      const status = await c.request("recording_status", {});
      p.equal(status.data["state"], "failed", "recording_status after the failure");
      // streaming goes on: 400 eeg_data after the failure (0.8 s at 500/s), awaited up to 5 s so
      // a loaded machine's slow delivery is not taken for a stopped stream (which sends none)
      const afterFailure = () => c.messages.slice(at).filter(isEeg);
      await until(() => afterFailure().length >= 400, 5000, "400 eeg_data after the failure")
        .catch(() => {});
      const after = afterFailure().map((m) => m.data["seq"] as number);
      p.check(
        after.length >= 400,
        "eeg_data stopped after the failure",
        `${after.length} in 5 s`,
      );
      p.check(
        after.every((s, i) => i === 0 || s === after[i - 1]! + 1),
        "eeg_data seq not consecutive after the failure",
      );
      p.equal(
        (await c.request("stop_recording", {})).data["code"],
        "NOT_RECORDING",
        "stop_recording after the failure",
      );
      streamed = eegSamples(c.messages);
    };
    if (mode === "tmpfs") {
      await withServer(
        runtime,
        ["--recordings-dir", dir],
        async (srv, open) => body((await openWelcomed(open)).c, srv),
      );
    } else {
      const srv = await startUnderFileLimit(runtime, ["--recordings-dir", dir]);
      try {
        await body(await connectWs(`${srv.ws}/`), srv);
      } finally {
        srv.kill();
        await Promise.race([srv.exited, delay(5000)]);
      }
    }
    await delay(200);
    const meta = readJson(join(dir, "full.json"));
    p.equal(meta["state"], "failed", "metadata state of the failed recording");
    const bdf = await readWithMne(join(dir, "full.bdf")).catch((e: unknown) => {
      p.check(false, "MNE cannot read the partial BDF", String(e));
      return null;
    });
    if (bdf !== null) {
      p.check(bdf.n_times >= 500, "the partial BDF holds no data record", String(bdf.n_times));
      // the CSV's first Seq: the metadata may still be the one written at the start (first_seq 0)
      const firstSeq = Number(
        readFileSync(join(dir, "full.csv"), "utf8").split("\n")[1]?.split(",")[18],
      );
      checkEdfData(
        p,
        bdf,
        BDF_CHECK,
        firstSeq,
        bdf.n_times,
        streamed,
        Math.max(...streamed.keys()),
      );
      p.note(
        `the partial BDF holds ${bdf.n_times} samples (disk: ${JSON.stringify(snapshot(dir))})`,
      );
    }
  } finally {
    if (mode === "tmpfs") await unmount(dir);
    tmp.remove();
  }
  p.assertNone();
}
