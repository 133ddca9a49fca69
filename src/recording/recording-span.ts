/**
 * @module The seqs a recording's files cover: from the first sample to an end that is known once a
 * duration or a stop fixes it (a stop ends at the last sample's data record, so EDF/BDF end on a
 * record boundary). Samples past the end are not taken; a stream that jumps past it ends the span.
 * The end is kept on the files' timeline, which paused seqs are not part of (recording-pauses.ts):
 * a duration counts recorded time, and a pause moves the end's seq on.
 */
import { sliceBySeq } from "../core/sample-slice.ts";
import { DEVICE_RATE_HZ } from "../core/samples.ts";
import type { SampleBlock } from "../core/samples.ts";
import { RecordingPauses } from "./recording-pauses.ts";
import type { RecordingFigures } from "./types.ts";

export class RecordingSpan {
  firstSeq: number | null = null;
  lastSeq: number | null = null;
  /** Unix ms of the first sample (its sample-clock time). */
  startMs: number | null = null;
  readonly pauses = new RecordingPauses();
  /** Set once a duration or a stop fixed it: the last sample the files will hold, counted from the first (0). */
  #endAt: number | null = null;
  /** The stream jumped past the end (its last samples were lost), or a stop came before any sample. */
  #pastEnd = false;

  /** The first sample: the span starts there, and a duration (s, rounded up to whole samples) fixes its end. */
  begin(block: SampleBlock, durationS: number | null): void {
    this.firstSeq = block.seq[0]!;
    this.startMs = block.time[0]! * 1000;
    if (durationS !== null) {
      this.#endAt = Math.ceil(durationS * DEVICE_RATE_HZ) - 1;
    }
  }

  /** The last seq the files will hold, once fixed (later while a pause is open: it moves on at the resume). */
  get #endSeq(): number | null {
    return this.#endAt === null ? null : this.firstSeq! + this.pauses.skipped + this.#endAt;
  }

  /** Its part of the recording's figures. */
  figures(): Pick<
    RecordingFigures,
    "firstSeq" | "lastSeq" | "startMs" | "recorded" | "pauses" | "pausedSamples"
  > {
    const { firstSeq, lastSeq, startMs, pauses } = this;
    const recorded = this.recorded();
    return {
      firstSeq,
      lastSeq,
      startMs,
      recorded,
      pauses: pauses.count,
      pausedSamples: pauses.total(),
    };
  }

  /** Samples on the files' timeline so far (the first to the last written, paused ones left out). */
  recorded(): number {
    return this.firstSeq === null || this.lastSeq === null
      ? 0
      : this.lastSeq - this.firstSeq + 1 - this.pauses.skipped;
  }

  /** Nothing more is taken: the end was reached or passed. */
  reachedEnd(): boolean {
    return this.#pastEnd ||
      (this.#endSeq !== null && this.lastSeq !== null && this.lastSeq >= this.#endSeq);
  }

  /** The part of `block` within the span (null: none), and whether the stream reached the end with it. */
  clip(block: SampleBlock): { part: SampleBlock | null; passedEnd: boolean } {
    const end = this.#endSeq;
    if (end === null) return { part: block, passedEnd: false };
    // the end is also reached when the stream jumps past its last seq (packets lost right there)
    const passedEnd = block.count > 0 && block.seq[block.count - 1]! >= end;
    return { part: sliceBySeq(block, Number.NEGATIVE_INFINITY, end), passedEnd };
  }

  /** Seconds from the first sample to `seq` on the files' timeline (a paused seq: where its pause is). */
  onset(seq: number): number {
    return (this.pauses.unpaused(seq) - this.firstSeq!) / DEVICE_RATE_HZ;
  }

  /**
   * The stream reached the end: the span is complete. Returns the samples lost between the last
   * one taken and the end (a gap like any other, EDF/BDF zero-fill it), else null.
   */
  complete(): { seq: number; missing: number } | null {
    this.#pastEnd = true;
    const end = this.#endSeq;
    if (end === null || this.lastSeq === null || this.lastSeq >= end) return null;
    const missing = end - this.lastSeq;
    this.lastSeq = end;
    return { seq: end + 1, missing };
  }

  /**
   * A stop: the end becomes the end of the last sample's data record (unless a duration fixed it);
   * true when samples are still due before it. Stopped before its first sample, or while paused,
   * it takes none (the last record is padded).
   */
  endAtRecord(): boolean {
    if (this.firstSeq === null || this.pauses.paused) {
      this.#pastEnd = true;
      return false;
    }
    const records = Math.ceil(this.recorded() / DEVICE_RATE_HZ);
    this.#endAt ??= records * DEVICE_RATE_HZ - 1;
    return this.lastSeq !== null && this.lastSeq < this.#endSeq!;
  }

  /** The seq the files must reach although their last samples were lost, else undefined. */
  finishSeq(): number | undefined {
    return this.#pastEnd ? this.lastSeq ?? undefined : undefined;
  }
}
