/**
 * @module What a recording's BDF/EDF must hold, compared with what a client streamed for the same seqs
 * (docs/protocol/bridge-api.md §4.1): MNE's reading (names, rate, length, values) and its annotations (gaps, markers,
 * lead-off). Each check adds to a Problems list.
 */
import { SIGNALS } from "./recording-helpers.ts";
import { jumpsInside } from "./recording-seq-helpers.ts";
import type { Problems } from "./recording-helpers.ts";
import type { Jump } from "./recording-seq-helpers.ts";
import type { MneReport } from "./recording-readers.ts";
import type { BatchSample } from "./stream-helpers.ts";

const UV_PER_COUNT = 0.023842;
/** Samples per second of every recording (the device rate). */
export const RATE = 500;
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
