/**
 * @module How a recorder pauses and resumes (docs/recording.md "Pause and resume"): nothing is
 * written while paused; the first sample after the resume ends the pause, the files go on without
 * it (EDF/BDF `skip`, a raw boundary record) and say where and how long (`paused X s`, a `paused`
 * row). The seqs and the timeline are RecordingPauses'; this is what the recorder does with them.
 */
import type { Marker } from "../core/markers.ts";
import { DEVICE_RATE_HZ } from "../core/samples.ts";
import { markerRow, PAUSED_LABEL } from "./events-csv.ts";
import type { EventsCsvRow } from "./events-csv.ts";
import { EarlyMarkers } from "./recorder-markers.ts";
import { pausedText } from "./recording-pauses.ts";
import type { Pause } from "./recording-pauses.ts";
import type { RecordingSpan } from "./recording-span.ts";
import type { Annotation, FormatWriter } from "./types.ts";

/** What of the recorder a pause acts on. */
export interface PauseHost {
  readonly span: RecordingSpan;
  writers(): FormatWriter[];
  /** An `_events.csv` row, and an annotation in every EDF/BDF file. */
  row(row: EventsCsvRow): void;
  annotate(annotation: Annotation): void;
  /** Places a marker held over a resume (the recorder's own marker path). */
  place(marker: Marker): void;
  /** A marker was written as a row only (counted in `markers`). */
  kept(): void;
}

export class RecorderPauses {
  #host: PauseHost;
  /** Markers sent after a resume, before its first sample tells where the pause ended. */
  #afterResume = new EarlyMarkers();

  constructor(host: PauseHost) {
    this.#host = host;
  }

  /** Pauses at the sample after the last one written; false when already paused. */
  pause(): boolean {
    const last = this.#host.span.lastSeq;
    return this.#host.span.pauses.pause(last === null ? null : last + 1);
  }

  /** Resumes; the raw file marks it like a reconnect, so a replay drops the packet the pause cut. */
  resume(connection: number, nowMs: number): boolean {
    if (!this.#host.span.pauses.resume()) return false;
    this.boundary(connection, nowMs);
    return true;
  }

  /** A boundary record in the raw file (a reconnect, a resume) once the files have begun. */
  boundary(connection: number, nowMs: number): void {
    if (this.#host.span.firstSeq === null) return;
    for (const w of this.#host.writers()) w.reconnected(connection, nowMs);
  }

  /**
   * A marker sent after a resume whose first sample has not come: held until it comes (true, or
   * false when the hold is full), so it lands on the right side of the pause. Null: not held.
   */
  holdAfterResume(marker: Marker): boolean | null {
    const pauses = this.#host.span.pauses;
    if (!pauses.open || pauses.paused || marker.seq === null) return null;
    // at or before the last seq seen while paused: in the pause, placed at once
    if (marker.seq <= (pauses.seen ?? -1)) return null;
    return this.#afterResume.hold(marker);
  }

  /** The first sample after a resume, at `seq`: true when it ended a pause the files must skip. */
  resumed(seq: number): boolean {
    const p = this.#host.span.pauses.end(seq);
    if (p !== null) {
      for (const w of this.#host.writers()) w.skip(seq);
      this.#note(p, true);
    }
    for (const marker of this.#afterResume.release(0)) this.#host.place(marker);
    return p !== null;
  }

  /** A stop while paused (or resumed with no sample since): the files end where the pause began. */
  endPause(): void {
    const span = this.#host.span;
    const p = span.pauses.stop();
    // no record follows it in the EDF/BDF to hold an annotation: the events sidecar has it
    if (p !== null) this.#note(p, false);
    for (const marker of this.#afterResume.release(0)) {
      this.#host.row(markerRow(marker, span.onset(span.lastSeq! + 1), true));
      this.#host.kept();
    }
  }

  /** A `paused` row (and with `annotate`, `paused X s`) where the files go on after `p`. */
  #note(p: Pause, annotate: boolean): void {
    const onsetS = this.#host.span.onset(p.from);
    const samples = p.to - p.from;
    this.#host.row({ onsetS, durationS: 0, label: PAUSED_LABEL, value: samples, seq: p.from });
    if (annotate) {
      this.#host.annotate({ onsetS, durationS: 0, text: pausedText(samples, DEVICE_RATE_HZ) });
    }
  }
}
