/** @module What a recording's CSV and `_events.csv` sidecar must hold, compared with what a client streamed for the same seqs (docs/protocol/bridge-api.md §4.1). */
import { csvRows } from "./recording-helpers.ts";
import { jumpsInside } from "./recording-seq-helpers.ts";
import type { Problems } from "./recording-helpers.ts";
import type { Jump } from "./recording-seq-helpers.ts";
import type { BatchSample } from "./stream-helpers.ts";
import { RATE } from "./recording-checks.ts";
import type { PlacedMarker } from "./recording-checks.ts";

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
