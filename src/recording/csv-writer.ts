/**
 * @module The `csv` recording format (docs/protocol/bridge-api.md §4.1): the reference streamer's columns, one row
 * per sample, then `Seq` and `LeadOff`. A pure FormatWriter: rows are built as strings per block
 * and encoded to UTF-8 once per `take()`.
 *
 * Columns: `Timestamp` (the sample's sample-clock time, Unix seconds, exactly 3 decimals),
 * `EventId` (always 239, the EEG packet id), `Counter`, `Ref`, `DRL` (as sent), `Ch1RawEEG` …
 * `Ch12RawEEG` (µV), `FeatureStatus`, `Seq`, `LeadOff` (the 12-bit lead-off mask as an integer,
 * bit k = channel k+1). Values are written exactly: JavaScript's shortest round-trip form
 * (`String(x)`, e.g. `23.841999053955078`, `1e-7`), so parsing a field gives back the same double.
 * A NaN or ±Infinity value is an empty field (as `null` on the wire: no reader agrees on a
 * spelling), and `-0` is written `0`. A gap is just missing rows: the jump shows in `Seq`.
 * Lines end in `\n`, as the reference writes them.
 */
import { CHANNELS } from "../core/samples.ts";
import type { SampleBlock } from "../core/samples.ts";
import type { Annotation, FormatWriter, Patch, RecordingInfo } from "./types.ts";

/** The EEG packet's event id, which the reference writes in every row. */
export const EEG_EVENT_ID = 239;

/** The header line (without its newline). */
export const CSV_HEADER = [
  "Timestamp",
  "EventId",
  "Counter",
  "Ref",
  "DRL",
  ...Array.from({ length: CHANNELS }, (_, i) => `Ch${i + 1}RawEEG`),
  "FeatureStatus",
  "Seq",
  "LeadOff",
].join(",");

/**
 * `t` with exactly 3 decimals, the same digits as `t.toFixed(3)` (checked on random times) at a
 * fifth of its cost: for t ≥ 512 s the fraction `t - floor(t)` and its product with 1000 are
 * exact doubles (the fraction has at most 43 significant bits), so one `Math.round` gives the
 * correctly rounded millisecond. Other values (tests, clocks near 0) take `toFixed`.
 */
export function timestamp3(t: number): string {
  if (t >= 512 && t < 1e15) {
    let s = Math.floor(t);
    let ms = Math.round((t - s) * 1000);
    if (ms === 1000) {
      s += 1;
      ms = 0;
    }
    return s + (ms >= 100 ? "." : ms >= 10 ? ".0" : ".00") + ms;
  }
  return t - t === 0 ? t.toFixed(3) : "";
}

/** Creates a CSV writer; `figures()` reports `rows`, `nonFinite` (empty fields) and `clipped` (always 0). */
export function createCsvWriter(): FormatWriter {
  const encoder = new TextEncoder();
  // one string per block, encoded together at take(): one TextEncoder call per append, not per block
  let pending: string[] = [];
  let rows = 0;
  let nonFinite = 0;

  // `x - x === 0` holds exactly for finite numbers (NaN and ±Infinity give NaN)
  const value = (x: number): string => {
    if (x - x === 0) return "" + x;
    nonFinite++;
    return "";
  };

  function take(): Uint8Array | null {
    if (pending.length === 0) return null;
    const bytes = encoder.encode(pending.length === 1 ? pending[0]! : pending.join(""));
    pending = [];
    return bytes;
  }

  return {
    format: "csv",
    extension: "csv",
    flushPerRecord: false,
    start(_info: RecordingInfo): Uint8Array {
      return encoder.encode(CSV_HEADER + "\n");
    },
    samples(block: SampleBlock): void {
      const { count, time, counter, ref, drl, channels, featureStatus, seq, leadOff } = block;
      let out = "";
      for (let i = 0; i < count; i++) {
        let row = timestamp3(time[i]!) + ",239," + counter[i]! + "," + value(ref[i]!) + "," +
          value(drl[i]!);
        const base = i * CHANNELS;
        for (let c = 0; c < CHANNELS; c++) row += "," + value(channels[base + c]!);
        out += row + "," + featureStatus[i]! + "," + seq[i]! + "," + (leadOff[i]! & 0xfff) + "\n";
      }
      rows += count;
      if (count > 0) pending.push(out);
    },
    raw(_bytes: Uint8Array): void {},
    reconnected(): void {},
    skip(): void {},
    annotate(_annotation: Annotation): void {},
    take,
    get pendingSamples(): number {
      return 0;
    },
    finish(): { tail: Uint8Array | null; patches: Patch[] } {
      return { tail: take(), patches: [] };
    },
    figures(): Record<string, number> {
      return { rows, nonFinite, clipped: 0 };
    },
  };
}
