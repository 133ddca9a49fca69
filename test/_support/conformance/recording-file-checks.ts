/** @module A recording's metadata JSON against its files on disk, and its raw bytes decoded by the CLI and replayed through the bridge (docs/protocol/bridge-api.md §4.1). */
import { statSync } from "node:fs";
import { join } from "node:path";
import type { Runtime } from "../server-process.ts";
import { health, isStatus, openWelcomed, withServer } from "./helpers.ts";
import { SIGNALS } from "./recording-helpers.ts";
import { decodeLines } from "./recording-readers.ts";
import type { Problems } from "./recording-helpers.ts";
import type { BatchSample, Data } from "./stream-helpers.ts";
import { RATE } from "./recording-checks.ts";

/** The metadata JSON and the recording object: the §4.1 fields, and file sizes as on disk. */
export function checkMetadata(
  p: Problems,
  meta: Data,
  recording: Data,
  dir: string,
  want: Data,
): void {
  for (const [k, v] of Object.entries(want)) p.equal(meta[k], v, `metadata: ${k}`);
  p.equal(meta["sampling_rate"], RATE, "metadata: sampling_rate");
  p.equal(meta["channel_names"], SIGNALS, "metadata: channel_names");
  p.check(
    Array.isArray(meta["channel_units"]) && meta["channel_units"].length === 14,
    "metadata: channel_units",
  );
  for (const k of ["device_name", "bridge_version", "source", "started_at", "stopped_at"]) {
    p.check(typeof meta[k] === "string", `metadata: ${k} missing`);
  }
  p.check(typeof meta["synthetic"] === "boolean", "metadata: synthetic missing");
  for (const k of ["packets", "lost", "duplicates", "clipped"]) {
    p.check(k in meta || (k === "packets" && "samples" in meta), `metadata: ${k} missing`);
  }
  for (
    const [what, files] of [["metadata", meta["files"]], [
      "recording object",
      recording["files"],
    ]] as const
  ) {
    for (const f of (files ?? []) as Data[]) {
      let bytes = -1;
      try {
        bytes = statSync(join(dir, f["name"])).size;
      } catch { /* reported below */ }
      p.equal(f["bytes"], bytes, `${what}: files[].bytes ≠ the size on disk (${f["name"]})`);
    }
  }
  for (
    const k of ["state", "session_name", "samples", "markers", "gaps", "first_seq", "duration_s"]
  ) p.equal(recording[k], meta[k], `recording object ${k} ≠ metadata ${k}`);
}

/** Replays `file` (`--source replay:FILE --speed 0`) until the link ends; the /health packet figures. */
export async function replayFigures(runtime: Runtime, file: string): Promise<Data> {
  let figures: Data = {};
  await withServer(runtime, ["--source", `replay:${file}`, "--speed", "0"], async (srv, open) => {
    const { c } = await openWelcomed(open);
    await c.request("unsubscribe", { stream: "eeg" });
    await c.request("connect", {});
    await c.next(isStatus("disconnected"), 20_000, "the end of the replay");
    figures = (await health(srv))["packets"] as Data;
  });
  return figures;
}

/** The raw file decoded by the CLI: no checksum failures, and (followed by counter) the streamed values of every recorded seq. */
export async function checkRawDecode(
  p: Problems,
  runtime: Runtime,
  file: string,
  streamed: Map<number, BatchSample>,
  firstSeq: number,
  lastSeq: number,
): Promise<void> {
  const lines = await decodeLines(runtime, file);
  const stats = lines.at(-1)!;
  p.equal(
    [stats["type"], stats["checksum_failures"]],
    ["stats", 0],
    "raw: decode CLI checksum failures",
  );
  // a file that starts inside a packet replays its tail as junk: a 0xAA in it is a checksum failure, depending on the data
  p.equal(
    stats["bytes_skipped"],
    0,
    "raw: the file starts mid-packet (bytes skipped by the decoder)",
  );
  const packets = lines.filter((l) => l["type"] === "eeg");
  const d0 = packets[0];
  // the file starts with the chunk that arrived after the start: find that packet in the stream
  const start = [...streamed.values()].find((b) =>
    b.seq >= firstSeq - 100 && b.seq <= firstSeq + 100 && d0 && b.counter === d0["counter"] &&
    b.channels["ch1"] === d0["channels"][0]
  );
  if (
    !p.check(
      start !== undefined,
      "raw: the first decoded packet is not a streamed sample near first_seq",
    )
  ) return;
  const covered = new Set<number>();
  let seq = start!.seq;
  for (let k = 0; k < packets.length; k++) {
    if (k > 0) seq += (packets[k]!["counter"] - packets[k - 1]!["counter"] + 256) % 256;
    const b = streamed.get(seq);
    if (b === undefined) continue;
    covered.add(seq);
    const got = [packets[k]!["ref"], packets[k]!["drl"], ...packets[k]!["channels"]];
    const want = [b.ref, b.drl, ...Array.from({ length: 12 }, (_, c) => b.channels[`ch${c + 1}`])];
    p.equal(got, want, "raw: decoded values differ from the stream");
  }
  const missing = [...streamed.keys()].filter((s) =>
    s >= firstSeq && s <= lastSeq && !covered.has(s)
  );
  // the file starts with the first chunk after the start, which completes a packet begun before it
  if (missing[0] === firstSeq) {
    p.note(
      `raw: the first recorded sample (seq ${firstSeq}) is not in the raw file: its packet began in the chunk before the start`,
    );
  }
  if (missing[0] === firstSeq) missing.shift();
  p.check(
    missing.length === 0,
    "raw: recorded seqs whose packet is not in the raw file",
    () => `${missing.length}, e.g. ${missing.slice(0, 5).join(", ")}`,
  );
}
