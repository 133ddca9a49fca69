/**
 * @module Conformance scenarios for where recordings go (BRIDGE-API §4.1): a recordings directory
 * that fills up (RECORDING_FAILED, state "failed", streaming goes on, the partial BDF readable) and
 * `--record FORMATS` starting a recording by itself at the first `connected`.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { serveCommand } from "../server-process.ts";
import type { Runtime } from "../server-process.ts";
import { connectWs } from "../ws-client.ts";
import type { Msg, WsClient } from "../ws-client.ts";
import { delay, isEeg, isError, isStatus, openWelcomed, withServer } from "./helpers.ts";
import { BDF_CHECK, checkEdfData } from "./recording-checks.ts";
import { Problems, readJson, ROOT, seen, snapshot, tempDir, until } from "./recording-helpers.ts";
import { recordingFirstSeq } from "./recording-seq-helpers.ts";
import { readWithMne } from "./recording-readers.ts";
import type { BatchSample, Data } from "./stream-helpers.ts";

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

/**
 * A small disk for `dir`: a 256 KiB tmpfs when mounting works (root), else "ulimit" (the server
 * then runs under `ulimit -f 200` with SIGXFSZ ignored, so writes fail with EFBIG).
 * MW75_TEST_DISK_FULL=ulimit forces the fallback.
 */
function smallDisk(dir: string): "tmpfs" | "ulimit" {
  if (process.env["MW75_TEST_DISK_FULL"] === "ulimit") return "ulimit";
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", dir], {
    encoding: "utf8",
    timeout: 10_000,
  });
  return r.status === 0 ? "tmpfs" : "ulimit";
}

async function unmount(dir: string): Promise<void> {
  for (let k = 0; k < 20; k++) {
    if (spawnSync("umount", [dir], { timeout: 10_000 }).status === 0) return;
    await delay(100); // the killed server may still hold its files for a moment
  }
  spawnSync("umount", ["-l", dir], { timeout: 10_000 });
}

/** What the scenario needs of a running server. */
interface Served {
  exited: Promise<unknown>;
  stderr(): string;
}

/** `serve` under a 200-KiB file size limit (SIGXFSZ ignored): its ws:// URL and a kill. */
async function startUnderFileLimit(
  runtime: Runtime,
  args: string[],
): Promise<Served & { ws: string; kill: () => void }> {
  const [cmd, ...pre] = serveCommand(runtime);
  const child = spawn("bash", [
    "-c",
    'trap "" XFSZ; ulimit -f 200; exec "$@"',
    "bash",
    cmd!,
    ...pre,
    "--port",
    "0",
    ...args,
  ], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
  const exited = new Promise((r) => child.once("exit", (code, signal) => r(code ?? signal)));
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  try {
    await until(
      () => /listening on http:\/\/\S+:\d+/.test(out),
      20_000,
      `${runtime} under ulimit -f to start`,
    );
  } catch (e) {
    kill();
    throw e;
  }
  const m = /listening on http:\/\/(\S+):(\d+)/.exec(out)!;
  return { ws: `ws://${m[1]}:${m[2]}`, kill, exited, stderr: () => err };
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

/** Scenario 8: `--record bdf,csv` starts a recording at the first `connected`, and only then. */
export async function recordOnFirstConnect(runtime: Runtime): Promise<void> {
  const tmp = tempDir(`mw75-rec-auto-${runtime}-`);
  const dir = join(tmp.dir, "recordings");
  const p = new Problems(`--record bdf,csv on ${runtime}`);
  try {
    await withServer(
      runtime,
      ["--recordings-dir", dir, "--record", "bdf,csv"],
      async (srv, open) => {
        const { c } = await openWelcomed(open);
        await c.request("unsubscribe", { stream: "eeg" });
        // not a readiness wait: 0.3 s in which nothing may be written before the first connect
        await delay(300);
        p.check(
          snapshot(dir) === "absent" || Object.keys(snapshot(dir)).length === 0,
          "files before the first connect",
          JSON.stringify(snapshot(dir)),
        );
        await c.request("connect", {});
        await c.next(isStatus("connected"), 5000);
        const started = await seen(
          c,
          (m) => m.type === "recording" && m.data["state"] === "recording",
          5000,
          "a recording started by --record",
        );
        const name = String(started.data["session_name"]);
        p.check(
          /^rec-\d{8}T\d{6}Z$/.test(name),
          "default session_name is not a UTC timestamp",
          name,
        );
        const files = ((started.data["files"] ?? []) as Data[]).map((f) => f["format"]).sort();
        p.equal(files, ["bdf", "csv", "events"], "the recording's files");
        await recordingFirstSeq(c);
        const status = await c.request("recording_status", {});
        p.equal(
          [status.data["state"], status.data["session_name"]],
          ["recording", name],
          "recording_status",
        );
        p.check(
          typeof status.data["first_seq"] === "number" &&
            (status.data["first_seq"] as number) <= 50,
          "the recording did not start at the first connected sample",
          `first_seq ${status.data["first_seq"]}`,
        );
        p.note(`--record started at first_seq ${status.data["first_seq"]}`);
        const stop = await c.request("stop_recording", {}, 10_000);
        p.equal((stop.data as Data)["recording"]?.["state"], "stopped", "stop_recording");
        await c.request("disconnect", {});
        await c.next(isStatus("idle"), 5000);
        const from = c.messages.length;
        await c.request("connect", {});
        await c.next(isStatus("connected"), 5000);
        // not a readiness wait: 0.8 s in which no second recording may start (--record starts
        // one within a chunk of the first connected sample, a few ms)
        await delay(800);
        p.check(
          !c.messages.slice(from).some((m) => m.type === "recording"),
          "a second connect started another recording",
        );
        const list =
          ((await (await fetch(`${srv.http}/recordings`)).json()) as Data)["recordings"] as Data[];
        p.equal(list.map((r) => r["session_name"]), [name], "GET /recordings");
        for (const ext of [".bdf", ".csv", ".json", "_events.csv"]) {
          p.check(existsSync(join(dir, `${name}${ext}`)), `file ${name}${ext} missing`);
        }
      },
    );
  } finally {
    tmp.remove();
  }
  p.assertNone();
}
