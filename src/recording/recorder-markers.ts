/** @module How a recording takes a marker: held until the first sample when it comes before it, then a row and an annotation per file. */
import type { Marker } from "../core/markers.ts";
import type { FormatWriter } from "./types.ts";

/** Markers held while a recording waits for its first sample; more than this many are refused. */
export const MAX_EARLY_MARKERS = 1000;

/**
 * Markers sent after a recording started but before its first sample (the device still warming up,
 * or no sample mapped to a seq yet): the recording holds them and places them at that first sample,
 * so an acknowledged marker is never one the files leave out.
 */
export class EarlyMarkers {
  #held: Marker[] = [];

  /** Holds `marker`; false when the bound is reached (the marker is then refused, not lost silently). */
  hold(marker: Marker): boolean {
    if (this.#held.length >= MAX_EARLY_MARKERS) return false;
    this.#held.push(marker);
    return true;
  }

  /** The held markers, each moved to `firstSeq` at the earliest; the hold is emptied. */
  release(firstSeq: number): Marker[] {
    return this.#held.splice(0).map((m) => ({ ...m, seq: Math.max(m.seq ?? firstSeq, firstSeq) }));
  }
}

/** Annotates every EDF/BDF-like writer; a writer that refuses (no room, a time it cannot hold) is counted in `refused`. */
export function annotateAll(
  writers: readonly FormatWriter[],
  refused: Map<FormatWriter, number>,
  annotation: Parameters<FormatWriter["annotate"]>[0],
): void {
  for (const writer of writers) {
    try {
      writer.annotate(annotation);
    } catch {
      refused.set(writer, (refused.get(writer) ?? 0) + 1);
    }
  }
}

/** Each writer's figures by format, its refused annotations added to its `annotations_dropped`. */
export function figuresWithRefusals(
  writers: ReadonlyArray<readonly [format: string, writer: FormatWriter]>,
  refused: ReadonlyMap<FormatWriter, number>,
): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [format, writer] of writers) {
    const f = writer.figures();
    const n = refused.get(writer) ?? 0;
    if (n > 0) f["annotations_dropped"] = (f["annotations_dropped"] ?? 0) + n;
    out[format] = f;
  }
  return out;
}
