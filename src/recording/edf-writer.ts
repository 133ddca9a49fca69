/**
 * @module The BDF+C and EDF+C FormatWriters (docs/protocol/bridge-api.md §4.1): samples in, whole 1-s data records
 * out, in constant memory. Gaps are filled with zeros and annotated so time stays aligned;
 * clipped and non-finite values are counted.
 */
import { CHANNELS, DEVICE_RATE_HZ } from "../core/samples.ts";
import type { SampleBlock } from "../core/samples.ts";
import {
  ANNOTATION_BYTES,
  BDF,
  buildHeader,
  DATA_SIGNALS,
  EDF,
  recordBytes,
  recordCountPatch,
  SAMPLES_PER_RECORD,
} from "./edf-header.ts";
import type { EdfVariant } from "./edf-header.ts";
import { DigitalValues } from "./edf-values.ts";
import { TalLog } from "./tal-log.ts";
import { TalQueue } from "./tal.ts";
import type { Annotation, FormatWriter, Patch, RecordingInfo } from "./types.ts";
import { SIGNAL_LABELS } from "./types.ts";

/** BDF+C: 24-bit, 0.023842 µV per count, clipped runs annotated `lead_off ch<k>`. */
export function createBdfWriter(): FormatWriter {
  return createEdfFamilyWriter(BDF);
}

/** EDF+C: 16-bit, 0.1 µV per count, clipping only counted. */
export function createEdfWriter(): FormatWriter {
  return createEdfFamilyWriter(EDF);
}

/** Records one `take()` hands over at most (~1.4 MB of BDF): the recorder takes twice a second. */
const MAX_RECORDS_PER_TAKE = 64;
/** Records whose annotations a late marker can still be sorted into: a marker may be 60 s old, plus slack. */
const REORDER_RECORDS = 90;
const REF = CHANNELS;
const DRL = CHANNELS + 1;
/** Text of the clipping annotation for data signal `s` (0-based). */
const clipText = (
  s: number,
): string => (s < CHANNELS ? `lead_off ch${s + 1}` : `clipped ${SIGNAL_LABELS[s]}`);

/**
 * One writer for both variants. Every record is a fresh zeroed buffer, so gap and padding
 * samples cost nothing but the skip (digital 0), and `take()` can hand records over uncopied.
 */
function createEdfFamilyWriter(v: EdfVariant): FormatWriter {
  const bps = v.bytesPerSample;
  const signalStride = SAMPLES_PER_RECORD * bps;
  const annotationOffset = DATA_SIGNALS * signalStride;
  const recordSize = recordBytes(v);
  const queue = new TalQueue(ANNOTATION_BYTES);
  const log = new TalLog(ANNOTATION_BYTES, REORDER_RECORDS);
  /** Rewritten annotation spaces of records already handed over, for the recorder to write in place. */
  let patches: Patch[] = [];
  let headerLength = 0;
  /** Records handed over by `take()` (they leave in index order). */
  let taken = 0;
  const values = new DigitalValues(v, (s) => {
    if (v.annotateClipping) {
      queue.add({ onsetS: seconds(written()), durationS: 0, text: clipText(s) });
    }
  });

  let started = false;
  let finished = false;
  /** Seq the next written sample must have; everything before it is in the file. */
  let nextSeq = 0;
  let record = new Uint8Array(recordSize);
  /** Samples per signal already in `record`. */
  let fill = 0;
  let records = 0;
  /**
   * Records ready for `take()`, in file order. A long gap is a run of zero records kept as a
   * count and built only when taken, a few at a time, so an hour without the headset costs no
   * memory (built at once it would be ~80 MB).
   */
  const done: Array<Uint8Array | { zeros: number; index: number }> = [];
  let gapSamples = 0;
  let paddingSamples = 0;
  let droppedSamples = 0;

  const seconds = (samples: number): number => samples / DEVICE_RATE_HZ;
  /** Samples (real, gap and padding) written so far, i.e. the time of the next one in samples. */
  const written = (): number => records * SAMPLES_PER_RECORD + fill;

  function closeRecord(): void {
    log.placed(
      records,
      queue.fill(record, annotationOffset, records, records + 1),
      record,
      annotationOffset,
    );
    done.push(record);
    records++;
    record = new Uint8Array(recordSize);
    fill = 0;
  }

  /** `k` samples of digital 0 on every signal (the buffers are zeroed already). */
  function skip(k: number): void {
    if (fill > 0) {
      const n = Math.min(k, SAMPLES_PER_RECORD - fill);
      fill += n;
      k -= n;
      if (fill === SAMPLES_PER_RECORD) closeRecord();
    }
    const whole = Math.floor(k / SAMPLES_PER_RECORD);
    if (whole > 0) {
      done.push({ zeros: whole, index: records });
      records += whole;
      k -= whole * SAMPLES_PER_RECORD;
    }
    fill += k; // the open record is fresh (zeroed) here
  }

  /** Encodes one value of signal `s` at the current position. */
  function put(s: number, value: number): void {
    const d = values.digital(s, value);
    const at = s * signalStride + fill * bps;
    record[at] = d & 0xff;
    record[at + 1] = (d >> 8) & 0xff;
    if (bps === 3) record[at + 2] = (d >> 16) & 0xff;
  }

  /** Up to `max` records (zero runs built now, each with its time-keeping TAL). */
  function take(max = MAX_RECORDS_PER_TAKE): Uint8Array | null {
    const out: Uint8Array[] = [];
    while (done.length > 0 && out.length < max) {
      const head = done[0]!;
      if (head instanceof Uint8Array) {
        out.push(head);
        done.shift();
        continue;
      }
      const zeros = new Uint8Array(recordSize);
      log.placed(
        head.index,
        queue.fill(zeros, annotationOffset, head.index, head.index + 1),
        zeros,
        annotationOffset,
      );
      out.push(zeros);
      head.index++;
      if (--head.zeros === 0) done.shift();
    }
    if (out.length === 0) return null;
    taken += out.length;
    log.released(taken);
    return out.length === 1 ? out[0]! : concat(out, recordSize);
  }

  function mustBeWriting(what: string): void {
    if (!started) throw new TypeError(`Cannot ${what} before start()`);
    if (finished) throw new TypeError(`Cannot ${what} after finish()`);
  }

  /** Missing samples from `nextSeq` up to (not including) `seq`: zero-filled and annotated (`device off` when deliberate, no loss). */
  function gapTo(seq: number, deliberate = false): void {
    const k = seq - nextSeq;
    queue.add({
      onsetS: seconds(written()), // the files' timeline: a pause before took no room
      durationS: seconds(k),
      text: `${deliberate ? "device off" : "gap"} ${k} samples`,
    });
    gapSamples += k;
    // a clipped run goes on across a gap (an electrode off before and after is one event)
    skip(k);
    nextSeq = seq;
  }

  return {
    format: v.format,
    extension: v.format,
    flushPerRecord: true,

    start(info: RecordingInfo): Uint8Array {
      if (started) throw new TypeError("Cannot start a writer twice");
      if (!Number.isInteger(info.firstSeq)) {
        throw new RangeError(`Cannot start at seq "${info.firstSeq}"`);
      }
      started = true;
      nextSeq = info.firstSeq;
      const header = buildHeader(v, info);
      headerLength = header.length;
      return header;
    },

    samples(block: SampleBlock): void {
      mustBeWriting("write samples");
      const { seq, channels, ref, drl } = block;
      for (let i = 0; i < block.count; i++) {
        const s = seq[i]!;
        if (s < nextSeq) {
          // already in the file (a repeat or a step back): writing it would shift time
          droppedSamples++;
          continue;
        }
        if (s > nextSeq) gapTo(s, block.gaps.some((g) => g.index === i && g.deliberate === true));
        const base = i * CHANNELS;
        for (let c = 0; c < CHANNELS; c++) put(c, channels[base + c]!);
        put(REF, ref[i]!);
        put(DRL, drl[i]!);
        nextSeq++;
        if (++fill === SAMPLES_PER_RECORD) closeRecord();
      }
    },

    raw(): void {},
    reconnected(): void {},

    skip(seq: number): void {
      mustBeWriting("skip");
      nextSeq = Math.max(nextSeq, seq); // no fill: the next sample follows the last one written
    },

    annotate(annotation: Annotation): void {
      mustBeWriting("annotate");
      const entry = queue.encode(annotation);
      // a marker stamped in the past may belong before annotations already written: re-sort those records
      const moved = log.insert(entry);
      if (moved === null) {
        queue.addEncoded(entry);
        return;
      }
      for (const r of moved.rewrites) {
        if (r.target === null) {
          patches.push({
            offset: headerLength + r.index * recordSize + annotationOffset,
            bytes: r.bytes,
          });
        }
      }
      for (const t of moved.leftover) queue.addEncoded(t, true);
      queue.written += 1 - moved.leftover.length;
    },

    takePatches(): Patch[] {
      const out = patches;
      patches = [];
      return out;
    },

    take: () => take(),

    get pendingSamples(): number {
      return fill;
    },

    finish(lastSeq?: number): { tail: Uint8Array | null; patches: Patch[] } {
      mustBeWriting("finish");
      // the stream jumped past the end (its last packets were lost): the span ends in a gap
      if (lastSeq !== undefined && started && lastSeq >= nextSeq) gapTo(lastSeq + 1);
      finished = true;
      const end = written();
      // Only the partial record is padded: the signal never gets longer than what was recorded.
      // Annotations that find no room in the records there are (a flood) are dropped and counted.
      const pad = fill > 0 ? SAMPLES_PER_RECORD - fill : 0;
      if (pad > 0) {
        queue.add({
          onsetS: seconds(end),
          durationS: seconds(pad),
          text: `end of data, ${pad} samples of padding`,
        }, true);
      }
      paddingSamples = pad;
      skip(pad);
      const tail = take(Number.POSITIVE_INFINITY);
      queue.discardPending();
      const out = [...patches, recordCountPatch(records)];
      patches = [];
      return { tail, patches: out };
    },

    figures(): Record<string, number> {
      const { clipped, perSignal } = values.clippedFigures();
      return {
        records,
        clipped,
        non_finite: values.nonFinite,
        gap_samples: gapSamples,
        padding_samples: paddingSamples,
        dropped_samples: droppedSamples,
        annotations: queue.written,
        annotations_pending: queue.pending,
        annotations_dropped: queue.dropped,
        ...perSignal,
      };
    },
  };
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(parts.length * size);
  for (let i = 0; i < parts.length; i++) out.set(parts[i]!, i * size);
  return out;
}
