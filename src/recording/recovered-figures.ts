/**
 * @module The counts of a recording finalised after a crash (its metadata still holds those of
 * its first sample): the span the repaired EDF/BDF records cover (or the CSV's rows when there is
 * no EDF/BDF), and the markers, gaps and lost samples of the events sidecar inside that span.
 * A deliberate pause (`device_off` row) is zero-filled in the EDF/BDF span like a gap, but it is
 * neither a marker, a gap nor a loss: its samples are only taken out of `samples`. A recording
 * pause (`paused` row) is not in the files' timeline at all: the span's end seq moves on past it.
 */
import { DEVICE_RATE_HZ } from "../core/samples.ts";
import { SAMPLES_PER_RECORD } from "./edf-header.ts";
import { DEVICE_OFF_LABEL, GAP_LABEL, LEAD_OFF_LABEL, PAUSED_LABEL } from "./events-csv.ts";

/** What recovery found in the files. */
export interface RecoveredFiles {
  firstSeq: number;
  /** Complete EDF/BDF data records after the repair, null without an EDF/BDF file. */
  records: number | null;
  /** The data CSV's rows and the seq of its last one, when there is a CSV and no EDF/BDF. */
  csv: { rows: number; lastSeq: number } | null;
  /** The `_events.csv` text, null when it is missing. */
  events: string | null;
}

/** The figures a user sees (metadata and `recording` object), null when no file tells the span. */
export interface RecoveredFigures {
  duration_s: number;
  samples: number;
  markers: number;
  gaps: number;
  lost: number;
}

export function recoveredFigures(f: RecoveredFiles): RecoveredFigures | null {
  let span: number;
  if (f.records !== null) span = f.records * SAMPLES_PER_RECORD;
  else if (f.csv !== null) span = f.csv.rows === 0 ? 0 : f.csv.lastSeq - f.firstSeq + 1;
  else return null;
  const rows = [...eventRows(f.events ?? "")];
  // the seqs a pause left out are not in the span: the end's seq moves on past each one inside it
  let end = f.firstSeq + span;
  let left = 0;
  for (const p of rows.filter((r) => r.label === PAUSED_LABEL).sort((a, b) => a.seq - b.seq)) {
    if (p.seq < end && f.records !== null) end += p.value;
    if (p.seq < end) left += p.value;
  }
  let markers = 0;
  let gaps = 0;
  let lost = 0;
  let paused = 0;
  for (const row of rows) {
    if (row.seq >= end || row.label === PAUSED_LABEL) continue; // after the last sample the files hold
    if (row.label === GAP_LABEL) {
      gaps++;
      lost += Math.min(row.value, end - row.seq);
    } else if (row.label === DEVICE_OFF_LABEL) {
      paused += Math.max(0, Math.min(row.value, end - row.seq));
    } else if (row.label !== LEAD_OFF_LABEL) {
      markers++;
    }
  }
  // the CSV has no rows for lost or paused samples; the EDF/BDF span holds them as zeros
  const samples = f.records !== null ? span - lost - paused : f.csv!.rows;
  // a CSV's span runs from its first seq to its last: the paused seqs are in it, not in its time
  const recorded = f.records !== null ? span : span - left;
  return { duration_s: recorded / DEVICE_RATE_HZ, samples, markers, gaps, lost };
}

/** Rows of the events CSV as label, value and seq (a line that is not a whole row is skipped). */
function* eventRows(text: string): Generator<{ label: string; value: number; seq: number }> {
  for (const line of text.split("\n").slice(1)) {
    const parts = line.split(",");
    if (parts.length < 5) continue;
    const seq = Number(parts[parts.length - 1]);
    if (!Number.isInteger(seq) || parts[0] === "" || Number.isNaN(Number(parts[0]))) continue;
    // the label may hold commas (it is quoted then); the fields around it never do
    let label = parts.slice(2, -2).join(",");
    if (label.startsWith('"') && label.endsWith('"')) {
      label = label.slice(1, -1).replaceAll('""', '"');
    }
    yield { label, value: Number(parts[parts.length - 2]) || 0, seq };
  }
}
