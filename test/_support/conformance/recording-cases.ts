/**
 * @module Conformance scenarios for a recording's files (docs/protocol/bridge-api.md §4.1, §4.2): one recording per
 * runtime (bdf, edf, csv, raw; `--sim-drop 0.01`, lead-off on 3 and 7, three markers) made once
 * and checked by three scenarios against the values a client streamed for the same seqs: MNE
 * reads the BDF and EDF, the CSV, and the raw file, metadata and events sidecar.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Runtime } from "../server-process.ts";
import type { Msg } from "../ws-client.ts";
import { delay, isStatus, openWelcomed, withServer } from "./helpers.ts";
import { BDF_CHECK, checkAnnotations, checkEdfData, EDF_CHECK } from "./recording-checks.ts";
import { checkCsv, checkEventsCsv } from "./recording-csv-checks.ts";
import { checkMetadata, checkRawDecode, replayFigures } from "./recording-file-checks.ts";
import type { PlacedMarker } from "./recording-checks.ts";
import { Problems, readJson, tempDir } from "./recording-helpers.ts";
import { jumpsInside, jumpsOf, nextRecording, untilBatchesCover } from "./recording-seq-helpers.ts";
import { readWithMne } from "./recording-readers.ts";
import type { Jump } from "./recording-seq-helpers.ts";
import { batchSamplesBySeq, isEvent } from "./stream-helpers.ts";
import type { BatchSample, Data } from "./stream-helpers.ts";

/**
 * Seconds recorded, in real time (20, as the recording issue asked): the past marker's check ties
 * a seq to a wall-clock timestamp within 2-4 ms, which the sample clock only does at the real
 * 500 Hz, so a faster simulator is not an option here; the test runner's workers run it beside
 * other files instead.
 */
export const RECORD_S = 20;
const SESSION = "mne_check";
const LEAD_OFF = [3, 7];

/** One finished recording and what the client saw while it ran. */
interface Shared {
  dir: string;
  path: (ext: string) => string;
  meta: Data;
  /** The `recording` broadcast with state "stopped". */
  stopped: Data;
  markers: PlacedMarker[];
  /** The past-timestamp marker: the timestamp sent and the ack's marker. */
  past: { sent: number; ack: Data };
  streamed: Map<number, BatchSample>;
  jumps: Jump[];
  firstSeq: number;
  /** Samples spanned: (last − first + 1) from the metadata's duration_s. */
  span: number;
  messages: Msg[];
}

const shared = new Map<Runtime, Promise<Shared>>();

/** The runtime's recording, made at the first call (every scenario below can run alone). */
function recording(runtime: Runtime): Promise<Shared> {
  let made = shared.get(runtime);
  if (made === undefined) shared.set(runtime, made = record(runtime));
  return made;
}

async function record(runtime: Runtime): Promise<Shared> {
  const { dir } = tempDir(`mw75-rec-${runtime}-`);
  const args = [
    "--recordings-dir",
    dir,
    "--sim-drop",
    "0.01",
    "--sim-lead-off",
    LEAD_OFF.join(","),
    "--sim-seed",
    "11",
  ];
  let out: Omit<Shared, "meta" | "span" | "path" | "dir"> | null = null;
  await withServer(runtime, args, async (srv, open) => {
    const { c } = await openWelcomed(open);
    await c.request("unsubscribe", { stream: "eeg" });
    await c.request("subscribe", { stream: "eeg_batch", format: "json" });
    await c.request("subscribe", { stream: "events" });
    await c.request("connect", {});
    await c.next(isStatus("connected"), 5000);
    await delay(300); // the recording starts mid-stream: the raw file then starts mid-packet
    const ack = await c.request("start_recording", {
      session_name: SESSION,
      formats: ["bdf", "edf", "csv", "raw"],
      duration_s: RECORD_S,
    }, 10_000);
    if (ack.type !== "command_ack") throw new Error(`start_recording: ${ack.raw}`);
    // not a readiness wait: the markers land 2.5 s into the recording, well inside it
    await delay(2500);
    const ws = await c.request("marker", { label: "ws_marker", value: 3, duration_s: 0.25 });
    const res = await fetch(`${srv.http}/markers`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ label: "http_marker" }),
    });
    const http = (await res.json()) as Data;
    if (res.status !== 201) {
      throw new Error(`POST /markers answered ${res.status}: ${JSON.stringify(http)}`);
    }
    const sent = Date.now() / 1000 - 0.5;
    const past = await c.request("marker", { label: "past_marker", timestamp: sent });
    const stopped = await nextRecording(c, "stopped", (RECORD_S + 15) * 1000);
    await untilBatchesCover(c, stopped.data as Data, "the recording's last samples");
    const placed = [ws.data["marker"], http, past.data["marker"]] as Data[];
    const streamed = batchSamplesBySeq(c.messages);
    const seqs = [...streamed.keys()].sort((a, b) => a - b);
    out = {
      stopped: stopped.data as Data,
      markers: placed.map((m) => ({
        label: m?.["label"],
        value: m?.["value"] ?? null,
        seq: m?.["seq"],
        durationS: m?.["duration_s"],
      })),
      past: { sent, ack: past.data["marker"] as Data },
      streamed,
      jumps: jumpsOf(seqs),
      firstSeq: stopped.data["first_seq"] as number,
      messages: c.messages.slice(),
    };
  });
  const path = (ext: string) => join(dir, `${SESSION}${ext}`);
  const meta = readJson(path(".json"));
  return { ...out!, dir, path, meta, span: Math.round((meta["duration_s"] as number) * 500) };
}

/** Scenario 1: MNE reads the BDF and EDF: names, 500 Hz, n_times = seq span, values, markers and gaps. */
export async function mneReadsRecording(runtime: Runtime): Promise<void> {
  const r = await recording(runtime);
  const p = new Problems(`MNE reads the ${runtime} recording`);
  p.equal(r.meta["first_seq"], r.firstSeq, "metadata first_seq ≠ the recording object's");
  const [bdf, edf] = await Promise.all([readWithMne(r.path(".bdf")), readWithMne(r.path(".edf"))]);
  const last = r.firstSeq + r.span - 1;
  for (const [report, v] of [[bdf, BDF_CHECK], [edf, EDF_CHECK]] as const) {
    p.equal(
      report.n_times,
      r.span,
      `${v.ext}: n_times ≠ seq span (first_seq ${r.firstSeq}, duration_s ${
        r.meta["duration_s"]
      }, requested ${RECORD_S} s)`,
    );
    const compared = checkEdfData(p, report, v, r.firstSeq, r.span, r.streamed, last);
    p.check(
      compared >= r.span - 400,
      `${v.ext}: too few samples compared`,
      `${compared} of ${r.span}`,
    );
    checkAnnotations(p, report, v.ext, {
      firstSeq: r.firstSeq,
      span: r.span,
      markers: r.markers,
      jumps: r.jumps,
      leadOff: LEAD_OFF,
    });
  }
  const leadOffNotes = bdf.annotations.filter((a) => a.description.startsWith("lead_off")).length;
  p.equal(
    leadOffNotes,
    LEAD_OFF.length,
    "bdf: lead_off annotations (one per electrode off all along, gaps or not)",
  );
  p.equal(r.span, RECORD_S * 500, `duration_s ${RECORD_S} recorded another number of samples`);
  // the past marker is placed at its own time: the sample clock's time of its seq is at or just after it
  // (--sim-drop may have lost that very sample: then its time is the last streamed one's plus 2 ms a seq)
  const seq = r.past.ack["seq"] as number;
  const before = Math.max(...[...r.streamed.keys()].filter((s) => s <= seq));
  const known = r.streamed.get(before);
  const time = known === undefined ? undefined : known.time + (seq - before) / 500;
  p.equal(r.past.ack["timestamp"], r.past.sent, "past marker: timestamp not the one given");
  p.check(
    time !== undefined && seq - before < 100 && time >= r.past.sent - 0.002 &&
      time < r.past.sent + 0.004,
    "past marker: seq not at its timestamp",
    () => `seq ${seq} at ${time} (from seq ${before}), timestamp ${r.past.sent}`,
  );
  p.check(
    jumpsInside(r.jumps, r.firstSeq, last).length >= 20,
    "too few gaps for --sim-drop 0.01",
    String(r.jumps.length),
  );
  p.assertNone();
}

/** Scenario 2: the CSV's header and rows equal the streamed samples by seq, exactly. */
export async function csvMatchesStream(runtime: Runtime): Promise<void> {
  const r = await recording(runtime);
  const p = new Problems(`the ${runtime} recording's CSV`);
  checkCsv(
    p,
    readFileSync(r.path(".csv"), "utf8"),
    r.streamed,
    r.firstSeq,
    r.firstSeq + r.span - 1,
  );
  p.assertNone();
}

/** Scenario 3: the raw file replays and decodes cleanly; the metadata and the events sidecar say what happened. */
export async function rawMetadataAndEvents(runtime: Runtime): Promise<void> {
  const r = await recording(runtime);
  const p = new Problems(`the ${runtime} recording's raw file, metadata and events`);
  const last = r.firstSeq + r.span - 1;
  const inside = jumpsInside(r.jumps, r.firstSeq, last);
  const samples = [...r.streamed.keys()].filter((s) => s >= r.firstSeq && s <= last).length;
  const replay = await replayFigures(runtime, r.path(".raw"));
  p.equal(replay["checksum_failures"], 0, "raw replay: checksum failures");
  p.check(
    Math.abs(replay["valid"] - samples) <= 30,
    "raw replay: valid packets far from the recorded samples",
    () => `${replay["valid"]} vs ${samples}`,
  );
  await checkRawDecode(p, runtime, r.path(".raw"), r.streamed, r.firstSeq, last);
  checkMetadata(p, r.meta, r.stopped, r.dir, {
    session_name: SESSION,
    state: "stopped",
    first_seq: r.firstSeq,
    formats: ["bdf", "edf", "csv", "raw"],
    samples,
    gaps: inside.length,
    lost: inside.reduce((n, j) => n + j.missing, 0),
    markers: 3,
  });
  const names = (r.meta["files"] as Data[]).map((f) => `${f["name"]}:${f["format"]}`).sort();
  p.equal(
    names,
    ["bdf", "csv", "edf", "raw"].map((e) => `${SESSION}.${e}:${e}`).concat(
      `${SESSION}_events.csv:events`,
    ).sort(),
    "metadata: files",
  );
  p.check(typeof r.stopped["stopped_at"] === "number", "recording object: stopped_at missing");
  checkEventsCsv(
    p,
    readFileSync(r.path("_events.csv"), "utf8"),
    r.firstSeq,
    last,
    r.markers,
    r.jumps,
  );
  // the events stream carried the three markers as `marker` events with the ack's data
  const events = r.messages.filter(isEvent("marker")).map((m) =>
    (m.data as Data)["marker"]["label"]
  );
  p.equal(events, ["ws_marker", "http_marker", "past_marker"], "events stream: marker events");
  p.assertNone();
}
