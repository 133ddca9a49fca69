/**
 * @module What a recording's files must hold, compared with what a client streamed for the same
 * seqs (BRIDGE-API §4.1): MNE's reading of the BDF/EDF (names, rate, length, values, annotations),
 * the CSV, the events sidecar, the metadata and the raw bytes. Each check adds to a Problems list.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import type { Runtime } from "../server-process.ts";
import { health, isStatus, openWelcomed, withServer } from "./helpers.ts";
import { csvRows, decodeLines, jumpsInside, SIGNALS } from "./recording-helpers.ts";
import type { Jump, MneReport, Problems } from "./recording-helpers.ts";
import type { BatchSample, Data } from "./stream-helpers.ts";

const UV_PER_COUNT = 0.023842;
const RATE = 500;
/** Onsets and durations in MNE's annotations: within 2 ms. */
const ONSET_TOLERANCE_S = 0.002;

/** The variants' clip limits and value tolerances (half a count in BDF; EDF's 0.1 µV steps). */
export const BDF_CHECK = {
  ext: "bdf",
  clipUv: 190736,
  tolerance: UV_PER_COUNT / 2 + 1e-6,
} as const;
export const EDF_CHECK = { ext: "edf", clipUv: 3276.7, tolerance: 0.05 + 1e-6 } as const;
export type VariantCheck = typeof BDF_CHECK | typeof EDF_CHECK;

/** A placed marker as its ack said. */
export interface PlacedMarker {
  label: string;
  value: number | null;
  seq: number;
  durationS: number;
}

/** Signal s (0–13: Ch1…Ch12, REF, DRL) of a streamed sample. */
export function signalOf(b: BatchSample, s: number): number {
  return s < 12 ? b.channels[`ch${s + 1}`]! : s === 12 ? b.ref : b.drl;
}

const clamp = (x: number, limit: number) => Math.max(-limit, Math.min(limit, x));

/**
 * Header figures and every sample of an MNE reading: sample i is seq `firstSeq + i`; a seq the
 * stream had must hold its (clipped) values, a seq inside a stream gap or past `span` (padding)
 * must be 0; seqs after `streamedUpTo` are not compared (the stream never saw them).
 */
export function checkEdfData(
  p: Problems,
  r: MneReport,
  v: VariantCheck,
  firstSeq: number,
  span: number,
  streamed: Map<number, BatchSample>,
  streamedUpTo: number,
): number {
  p.equal(r.ch_names, SIGNALS, `${v.ext}: channel names`);
  p.equal(r.sfreq, RATE, `${v.ext}: sfreq`);
  p.equal(r.warnings, [], `${v.ext}: MNE warnings`);
  const values = r.windows[0]!.values;
  let compared = 0;
  for (let i = 0; i < r.n_times; i++) {
    const seq = firstSeq + i;
    // past the span the file is padding, whatever the stream went on with
    const b = i < span ? streamed.get(seq) : undefined;
    if (b === undefined && seq > streamedUpTo && i < span) continue;
    for (let s = 0; s < SIGNALS.length; s++) {
      const want = b === undefined ? 0 : clamp(signalOf(b, s), v.clipUv);
      const kind = b === undefined
        ? (i < span ? "gap sample not 0" : "padding sample not 0")
        : "value differs from the stream";
      p.near(
        values[s]![i]!,
        want,
        v.tolerance,
        `${v.ext}: ${kind}`,
        `${SIGNALS[s]} seq ${seq} (index ${i}): `,
      );
    }
    if (b !== undefined) compared++;
  }
  return compared;
}

/** Annotations: one per stream gap inside the recording, the markers at their seq, lead-off onsets, padding only past `span`. */
export function checkAnnotations(
  p: Problems,
  r: MneReport,
  ext: string,
  o: { firstSeq: number; span: number; markers: PlacedMarker[]; jumps: Jump[]; leadOff: number[] },
): void {
  const last = o.firstSeq + o.span - 1;
  const onset = (seq: number) => (seq - o.firstSeq) / RATE;
  const wantGaps = jumpsInside(o.jumps, o.firstSeq, last)
    .map((j) => ({
      onset: onset(j.after + 1),
      duration: j.missing / RATE,
      description: `gap ${j.missing} samples`,
    }));
  const gotGaps = r.annotations.filter((a) => /^gap \d+ samples$/.test(a.description));
  p.equal(
    gotGaps.length,
    wantGaps.length,
    `${ext}: number of gap annotations (stream jumps inside the recording)`,
  );
  for (const w of wantGaps) {
    const hit = gotGaps.find((a) =>
      Math.abs(a.onset - w.onset) <= ONSET_TOLERANCE_S && a.description === w.description &&
      Math.abs(a.duration - w.duration) <= ONSET_TOLERANCE_S
    );
    p.check(
      hit !== undefined,
      `${ext}: a stream jump has no matching gap annotation`,
      () => JSON.stringify(w),
    );
  }
  for (const m of o.markers) {
    const hits = r.annotations.filter((a) =>
      a.description === m.label || a.description.startsWith(`${m.label} (`)
    );
    if (
      !p.check(hits.length === 1, `${ext}: marker annotation count`, `${m.label}: ${hits.length}`)
    ) continue;
    p.near(
      hits[0]!.onset,
      onset(m.seq),
      ONSET_TOLERANCE_S,
      `${ext}: marker onset ≠ (seq − first_seq)/500`,
      `${m.label}: `,
    );
    p.near(
      hits[0]!.duration,
      m.durationS,
      ONSET_TOLERANCE_S,
      `${ext}: marker duration`,
      `${m.label}: `,
    );
  }
  const leadOff = r.annotations.filter((a) => /^lead_off ch\d+$/.test(a.description));
  for (const ch of ext === "bdf" ? o.leadOff : []) {
    p.check(
      leadOff.some((a) => a.description === `lead_off ch${ch}` && a.onset === 0),
      `${ext}: no lead_off ch${ch} annotation at onset 0`,
    );
  }
  for (const a of leadOff) {
    // an electrode off all along is one clipped run: a gap in the stream does not restart it
    const placed = ext === "bdf" &&
      o.leadOff.includes(Number(a.description.slice("lead_off ch".length))) && a.onset === 0;
    p.check(
      placed,
      `${ext}: lead_off annotation not at the start of a clipped run`,
      () => JSON.stringify(a),
    );
  }
  for (const a of r.annotations) {
    const pad = /^end of data, (\d+) samples of padding$/.exec(a.description);
    if (pad !== null) {
      p.check(
        r.n_times > o.span && Number(pad[1]) === r.n_times - o.span,
        `${ext}: padding annotation although the samples fill whole records`,
        () => `${JSON.stringify(a)}, span ${o.span}, n_times ${r.n_times}`,
      );
      continue;
    }
    const known = /^(gap \d+ samples|lead_off ch\d+)$/.test(a.description) ||
      o.markers.some((m) => a.description === m.label || a.description.startsWith(`${m.label} (`));
    p.check(known, `${ext}: unexpected annotation`, () => JSON.stringify(a));
  }
}

export const CSV_HEADER = `Timestamp,EventId,Counter,Ref,DRL,${
  Array.from({ length: 12 }, (_, i) => `Ch${i + 1}RawEEG`).join(",")
},FeatureStatus,Seq,LeadOff`;

/** The CSV: the header, then one row per streamed seq in [firstSeq, lastSeq], values exactly the streamed doubles. */
export function checkCsv(
  p: Problems,
  text: string,
  streamed: Map<number, BatchSample>,
  firstSeq: number,
  lastSeq: number,
): void {
  const [header, ...rows] = csvRows(text);
  p.equal(header?.join(","), CSV_HEADER, "csv: header");
  const seen: number[] = [];
  for (const f of rows) {
    if (
      !p.check(f.length === 20, "csv: a row without 20 fields", () => f.join(",").slice(0, 120))
    ) continue;
    const seq = Number(f[18]);
    seen.push(seq);
    const b = streamed.get(seq);
    if (!p.check(b !== undefined, "csv: a row for a seq the stream did not have", `seq ${seq}`)) {
      continue;
    }
    p.check(
      /^\d+\.\d{3}$/.test(f[0]!) && f[0] === b!.time.toFixed(3),
      "csv: Timestamp is not the sample's time with 3 decimals",
      () => `seq ${seq}: ${f[0]} vs ${b!.time}`,
    );
    p.equal([f[1], Number(f[2])], ["239", b!.counter], "csv: EventId/Counter");
    p.check(
      Number(f[3]) === b!.ref && Number(f[4]) === b!.drl,
      "csv: Ref/DRL differ from the stream",
      () => `seq ${seq}: ${f[3]},${f[4]} vs ${b!.ref},${b!.drl}`,
    );
    for (let c = 0; c < 12; c++) {
      p.check(
        Number(f[5 + c]) === b!.channels[`ch${c + 1}`],
        "csv: channel value differs from the stream",
        () => `seq ${seq} Ch${c + 1}: ${f[5 + c]} vs ${b!.channels[`ch${c + 1}`]}`,
      );
    }
    p.check(/^\d+$/.test(f[17]!), "csv: FeatureStatus is not an integer", f[17]!);
    p.equal(
      Number(f[19]),
      b!.leadOff.reduce((m, ch) => m | (1 << (ch - 1)), 0),
      "csv: LeadOff mask",
    );
  }
  const want = [...streamed.keys()].filter((s) => s >= firstSeq && s <= lastSeq).sort((a, b) =>
    a - b
  );
  p.equal(seen.length, want.length, "csv: rows ≠ streamed samples of the recording");
  p.check(seen.every((s, i) => i === 0 || s > seen[i - 1]!), "csv: Seq not strictly increasing");
  p.equal([seen[0], seen.at(-1)], [want[0], want.at(-1)], "csv: first and last Seq");
}

/** `_events.csv`: a row per marker (at its seq) and per stream gap inside the recording. */
export function checkEventsCsv(
  p: Problems,
  text: string,
  firstSeq: number,
  lastSeq: number,
  markers: PlacedMarker[],
  jumps: Jump[],
): void {
  const [header, ...rows] = csvRows(text);
  p.equal(header?.join(","), "onset,duration,label,value,seq", "events.csv: header");
  const gaps = rows.filter((r) => r[2] === "gap");
  const want = jumpsInside(jumps, firstSeq, lastSeq);
  p.equal(gaps.length, want.length, "events.csv: gap rows ≠ stream jumps inside the recording");
  for (const j of want) {
    const row = gaps.find((r) => Number(r[4]) === j.after + 1);
    if (
      !p.check(row !== undefined, "events.csv: a stream jump without a gap row", JSON.stringify(j))
    ) continue;
    p.equal([Number(row![0]), Number(row![1]), Number(row![3])], [
      (j.after + 1 - firstSeq) / RATE,
      j.missing / RATE,
      j.missing,
    ], "events.csv: gap row onset/duration/value");
  }
  for (const g of gaps) {
    p.check(
      Number(g[4]) > firstSeq && Number(g[4]) <= lastSeq,
      "events.csv: gap row outside the recording",
      g.join(","),
    );
  }
  for (const m of markers) {
    const hits = rows.filter((r) => r[2] === m.label);
    if (!p.check(hits.length === 1, "events.csv: marker row count", `${m.label}: ${hits.length}`)) {
      continue;
    }
    const r = hits[0]!;
    p.equal([Number(r[4]), r[3] === "" ? null : Number(r[3]), Number(r[1])], [
      m.seq,
      m.value,
      m.durationS,
    ], `events.csv: marker seq/value/duration (${m.label})`);
    p.near(
      Number(r[0]),
      (m.seq - firstSeq) / RATE,
      0.0005,
      "events.csv: marker onset",
      `${m.label}: `,
    );
  }
  p.equal(
    rows.length,
    want.length + markers.length,
    "events.csv: rows other than the markers and gaps",
  );
}

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
