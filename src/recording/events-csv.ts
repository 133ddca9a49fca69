/**
 * @module The `<session>_events.csv` sidecar (docs/protocol/bridge-api.md §4.1): one row per marker, per gap and
 * per lead-off onset, in the BIDS events style. A pure encoder of lines; the recorder appends them.
 *
 * Columns: `onset` and `duration` in seconds (onset from the first sample of the recording; at
 * least 3 and at most 6 decimals, trailing zeros past the third dropped), `label` (RFC 4180:
 * quoted when it holds a comma, a quote, CR, LF or outer spaces, quotes doubled), `value`
 * (shortest round-trip number, empty when absent or not finite), `seq` (a sample number).
 * Lines end in `\n`, like the data CSV; RFC 4180 readers accept that (only CR/LF inside a quoted
 * label is kept as written).
 *
 * Rows by kind, as the helpers below build them:
 * - marker: its label, value and duration; `seq` = the sample at or just after its timestamp.
 * - `gap`: onset = when the first missing sample was due, duration = missing / 500 s,
 *   value = missing samples, `seq` = the first missing seq.
 * - `lead_off`: a channel going onto the lead-off sentinel (not its recovery); value = the
 *   channel number 1–12 (the BDF annotation says `lead_off ch<k>`), duration 0, `seq` = that sample.
 * - `device_off`: a deliberate pause (disconnect, then connect), laid out like a gap row; the
 *   EDF/BDF holds its samples as zeros, but nothing is lost and it is no gap.
 * - `paused`: a recording pause (docs/recording.md): onset = where the files go on after it,
 *   duration 0 (the paused time is not on the files' timeline), value = samples left out, `seq` =
 *   the first of them. A marker sent while paused is a row there too, its label + ` (while paused)`.
 */
import { DEVICE_RATE_HZ } from "../core/samples.ts";
import type { Gap } from "../core/samples.ts";
import type { Marker } from "../core/markers.ts";

/** One line of the sidecar. */
export interface EventsCsvRow {
  /** Seconds from the first sample of the recording (may be negative for an early marker). */
  onsetS: number;
  durationS: number;
  label: string;
  /** Absent, null or non-finite: empty field. */
  value?: number | null;
  seq: number;
}

/** Label of a gap row. */
export const GAP_LABEL = "gap";
/** Label of a deliberate pause row (zero-filled in EDF/BDF, no loss): value = its samples, `seq` = its first. */
export const DEVICE_OFF_LABEL = "device_off";
/** Label of a recording pause row; a marker sent while paused gets the suffix after its label. */
export const PAUSED_LABEL = "paused";
export const WHILE_PAUSED = " (while paused)";
/** Label of a lead-off onset row. */
export const LEAD_OFF_LABEL = "lead_off";

/** The header line, with its newline. */
export function eventsCsvHeader(): string {
  return "onset,duration,label,value,seq\n";
}

/** One row as a line, with its newline. Throws RangeError for a non-finite onset or duration or a non-integer seq. */
export function eventsCsvRow(row: EventsCsvRow): string {
  if (!Number.isInteger(row.seq)) {
    throw new RangeError(`events.csv seq must be an integer, got ${row.seq}`);
  }
  const value = row.value !== undefined && row.value !== null && row.value - row.value === 0
    ? String(row.value)
    : "";
  return `${seconds(row.onsetS, "onset")},${seconds(row.durationS, "duration")},${
    csvField(row.label)
  },${value},${row.seq}\n`;
}

/** The gap row for `gap`, whose next sample (`gap.seq`) is `nextOnsetS` seconds from the first sample. */
export function gapEventRow(gap: Pick<Gap, "seq" | "missing">, nextOnsetS: number): EventsCsvRow {
  const durationS = gap.missing / DEVICE_RATE_HZ;
  return {
    onsetS: nextOnsetS - durationS,
    durationS,
    label: GAP_LABEL,
    value: gap.missing,
    seq: gap.seq - gap.missing,
  };
}

/**
 * A block's gap rows and what they count: a `device_off` row for a deliberate pause (zero-filled,
 * no loss), else a `gap` row spanning the missing samples. `skipFirst`: a jump into the block's
 * first sample is a recording pause, which is no gap at all.
 */
export function gapRows(
  gaps: readonly Gap[],
  onset: (seq: number) => number,
  skipFirst: boolean,
): { rows: EventsCsvRow[]; gaps: number; lost: number } {
  const out = { rows: [] as EventsCsvRow[], gaps: 0, lost: 0 };
  for (const gap of gaps) {
    if (skipFirst && gap.index === 0) continue;
    const row = gapEventRow(gap, onset(gap.seq));
    if (gap.deliberate === true) {
      out.rows.push({ ...row, label: DEVICE_OFF_LABEL });
      continue;
    }
    out.rows.push(row);
    out.gaps++;
    out.lost += gap.missing;
  }
  return out;
}

/** The row of a marker at `onsetS`; `paused`: sent while the recording was paused (its label says so). */
export function markerRow(marker: Marker, onsetS: number, paused: boolean): EventsCsvRow {
  return {
    onsetS,
    durationS: marker.durationS,
    label: paused ? marker.label + WHILE_PAUSED : marker.label,
    value: marker.value,
    seq: marker.seq!,
  };
}

/** The row for channel `channel` (1–12) going onto the lead-off sentinel at sample `seq`. */
export function leadOffEventRow(channel: number, onsetS: number, seq: number): EventsCsvRow {
  return { onsetS, durationS: 0, label: LEAD_OFF_LABEL, value: channel, seq };
}

/** A field per RFC 4180: as is when safe, else quoted with inner quotes doubled. */
export function csvField(text: string): string {
  // outer spaces are quoted too: some readers trim unquoted fields
  if (/[",\r\n]/.test(text) || text !== text.trim()) return `"${text.replaceAll('"', '""')}"`;
  return text;
}

/** Seconds with 3–6 decimals: millisecond-aligned onsets stay short, sub-ms marker times survive. */
function seconds(x: number, field: string): string {
  if (!(x - x === 0)) throw new RangeError(`events.csv ${field} must be finite, got ${x}`);
  let s = x.toFixed(6);
  let end = s.length;
  while (end > s.length - 3 && s.charCodeAt(end - 1) === 0x30) end--;
  s = s.slice(0, end);
  return s === "-0.000" ? "0.000" : s;
}
