/**
 * @module Keeps `<session>_events.csv` in onset order while rows arrive near-live: every row is
 * appended at once (a crash keeps it), and a row that belongs before rows already written has the
 * tail of the file from its place on rewritten in place (same bytes, reordered). Only the rows of
 * the last `windowS` seconds of onsets are remembered; an older late row lands at that window's start.
 */
import { eventsCsvRow } from "./events-csv.ts";
import type { EventsCsvRow } from "./events-csv.ts";

interface Line {
  readonly onsetS: number;
  readonly bytes: Uint8Array;
}

/** What to write for one row: `append` at the end of the file, then `rewrite` (if any) at its offset. */
export interface EventsWrite {
  append: Uint8Array;
  rewrite: { offset: number; bytes: Uint8Array } | null;
}

const encoder = new TextEncoder();

export class EventsLog {
  #lines: Line[] = [];
  #head = 0;
  /** File offset of `#lines[#head]` (the header and the forgotten rows come before it). */
  #base: number;

  /** `startOffset`: where the first row goes (after the header line). */
  constructor(startOffset: number, readonly windowS: number) {
    this.#base = startOffset;
  }

  /** The bytes to write for `row` (throws RangeError like eventsCsvRow for a row it cannot write). */
  add(row: EventsCsvRow): EventsWrite {
    const line: Line = { onsetS: row.onsetS, bytes: encoder.encode(eventsCsvRow(row)) };
    const lines = this.#lines;
    let at = lines.length;
    // stable: equal onsets keep their arrival order
    while (at > this.#head && lines[at - 1]!.onsetS > line.onsetS) at--;
    lines.splice(at, 0, line);
    let rewrite: EventsWrite["rewrite"] = null;
    if (at < lines.length - 1) {
      let offset = this.#base;
      for (let i = this.#head; i < at; i++) offset += lines[i]!.bytes.length;
      rewrite = { offset, bytes: concat(lines.slice(at)) };
    }
    this.#forget();
    return { append: line.bytes, rewrite };
  }

  /** Forgets rows older than the window (no accepted marker can come before them any more). */
  #forget(): void {
    const lines = this.#lines;
    const newest = lines[lines.length - 1]!.onsetS;
    while (lines.length - this.#head > 1 && lines[this.#head]!.onsetS < newest - this.windowS) {
      this.#base += lines[this.#head]!.bytes.length;
      this.#head++;
    }
    if (this.#head > 256 && this.#head * 2 > lines.length) {
      this.#lines = lines.slice(this.#head);
      this.#head = 0;
    }
  }
}

function concat(lines: Line[]): Uint8Array {
  const out = new Uint8Array(lines.reduce((n, l) => n + l.bytes.length, 0));
  let at = 0;
  for (const l of lines) {
    out.set(l.bytes, at);
    at += l.bytes.length;
  }
  return out;
}
