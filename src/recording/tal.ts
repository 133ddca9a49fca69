/**
 * @module EDF+ Time-stamped Annotation Lists: `+onset[\x15duration]\x14text\x14\x00`, the
 * time-keeping TAL that opens every record's annotation signal, and the queue that places
 * annotations in data records, carrying over what does not fit (onsets stay exact).
 */
import type { Annotation } from "./types.ts";

const TEXT_END = 0x14;
const TAL_END = 0x00;
const encoder = new TextEncoder();
/** Room kept in every record for its time-keeping TAL (`+99999999\x14\x14\x00` is 12 bytes). */
export const TIME_KEEPING_RESERVE = 16;

/**
 * Seconds as EDF+ wants them: a sign, digits, optionally a point and decimals, never an exponent.
 * Microseconds are plenty: samples are 2 ms apart.
 */
export function formatSeconds(s: number, signed: boolean): string {
  if (!Number.isFinite(s) || Math.abs(s) >= 1e9) {
    throw new RangeError(`Cannot write "${s}" s in a TAL`);
  }
  let text = Math.abs(s).toFixed(6).replace(/\.?0+$/, "");
  if (text === "") text = "0";
  if (!signed) return text;
  return (s < 0 && text !== "0" ? "-" : "+") + text;
}

/**
 * Annotation text without control bytes (they delimit TALs, and readers split lines on them):
 * C0, DEL and C1 become spaces; empty text becomes `(empty)`, which readers would drop otherwise.
 */
export function sanitizeText(text: string): string {
  // deno-lint-ignore no-control-regex -- matching control bytes is the point
  const cleaned = text.replace(/[\x00-\x1f\x7f-\x9f]/g, " ").trim();
  return cleaned === "" ? "(empty)" : cleaned;
}

/** UTF-8 of `text` cut to at most `maxBytes` without splitting a character. */
function utf8Prefix(text: string, maxBytes: number): Uint8Array {
  const bytes = encoder.encode(text);
  if (bytes.length <= maxBytes) return bytes;
  let end = Math.max(0, maxBytes);
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // back off a continuation byte
  return bytes.subarray(0, end);
}

/**
 * One TAL for one annotation, at most `maxBytes` long (the text is cut to fit). A zero duration
 * is left out, as EDF+ allows.
 */
export function encodeTal(a: Annotation, maxBytes = Infinity): Uint8Array {
  if (!(a.durationS >= 0) || !Number.isFinite(a.durationS)) {
    throw new RangeError(
      `Cannot write annotation duration "${a.durationS}" s: it must be finite and ≥ 0`,
    );
  }
  const head = formatSeconds(a.onsetS, true) +
    (a.durationS > 0 ? "\x15" + formatSeconds(a.durationS, false) : "");
  const headBytes = encoder.encode(head);
  const text = utf8Prefix(sanitizeText(a.text), maxBytes - headBytes.length - 3);
  const out = new Uint8Array(headBytes.length + text.length + 3);
  out.set(headBytes, 0);
  out[headBytes.length] = TEXT_END;
  out.set(text, headBytes.length + 1);
  out[out.length - 2] = TEXT_END;
  out[out.length - 1] = TAL_END;
  return out;
}

/** `+<record index>\x14\x14\x00`: record k of a continuous file starts k seconds after the header's start. */
export function timeKeepingTal(recordIndex: number): Uint8Array {
  const text = `+${recordIndex}`;
  const out = new Uint8Array(text.length + 3);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  out[text.length] = TEXT_END;
  out[text.length + 1] = TEXT_END;
  out[text.length + 2] = TAL_END;
  return out;
}

/** An encoded TAL waiting for (or written into) a data record. */
export interface QueuedTal {
  readonly onsetS: number;
  readonly bytes: Uint8Array;
}
type Pending = QueuedTal;

/**
 * Annotations waiting for a data record, in onset order. Each goes into the record that covers
 * its onset, or the first one written after it arrived; when a record's annotation space is
 * full the rest wait for the next records. Bounded: past `maxPendingBytes`, new annotations are
 * dropped and counted (only a flood far beyond 30 per second gets there).
 */
export class TalQueue {
  #items: Pending[] = [];
  #head = 0;
  #pendingBytes = 0;
  /** Annotations written into records, and refused because the queue was full. */
  written = 0;
  dropped = 0;

  /** `space` = annotation bytes per record; no TAL is longer than what fits beside the time-keeping one. */
  constructor(readonly space: number, readonly maxPendingBytes = 1 << 20) {
    if (space < 2 * TIME_KEEPING_RESERVE) throw new RangeError(`Cannot fit TALs in ${space} bytes`);
  }

  /** Annotations not written yet. */
  get pending(): number {
    return this.#items.length - this.#head;
  }

  /** `a` encoded as the queue would hold it (the text cut to what fits beside a time-keeping TAL). */
  encode(a: Annotation): QueuedTal {
    return { onsetS: a.onsetS, bytes: encodeTal(a, this.space - TIME_KEEPING_RESERVE) };
  }

  /** Queues `a`; returns its entry (for `remove`), or null when dropped. `force` ignores the bound. */
  add(a: Annotation, force = false): object | null {
    return this.addEncoded(this.encode(a), force);
  }

  /** Queues an encoded TAL (see `add`). */
  addEncoded(entry: QueuedTal, force = false): object | null {
    if (!force && this.#pendingBytes + entry.bytes.length > this.maxPendingBytes) {
      this.dropped++;
      return null;
    }
    const items = this.#items;
    let j = items.length;
    while (j > this.#head && items[j - 1]!.onsetS > entry.onsetS) j--; // usually in order: O(1)
    items.splice(j, 0, entry);
    this.#pendingBytes += entry.bytes.length;
    return entry;
  }

  /** Takes back an entry `add` returned, if it is still pending. */
  remove(entry: object): void {
    const at = this.#items.indexOf(entry as Pending, this.#head);
    if (at < 0) return;
    this.#pendingBytes -= this.#items[at]!.bytes.length;
    this.#items.splice(at, 1);
  }

  /** Gives up every annotation still waiting (no record is left for them); they count as dropped. */
  discardPending(): void {
    this.dropped += this.pending;
    this.#items = [];
    this.#head = 0;
    this.#pendingBytes = 0;
  }

  /**
   * Writes record `index`'s annotation space at `target[offset…offset+space)`: the time-keeping
   * TAL, then pending TALs with onset before `endS` while they fit, in onset order. The rest of
   * the space must already be zero (fresh records are). Returns the TALs it wrote.
   */
  fill(target: Uint8Array, offset: number, index: number, endS: number): QueuedTal[] {
    const tk = timeKeepingTal(index);
    target.set(tk, offset);
    let at = offset + tk.length;
    const limit = offset + this.space;
    const items = this.#items;
    const placed: QueuedTal[] = [];
    while (this.#head < items.length) {
      const next = items[this.#head]!;
      if (next.onsetS >= endS || at + next.bytes.length > limit) break;
      placed.push(next);
      target.set(next.bytes, at);
      at += next.bytes.length;
      this.#pendingBytes -= next.bytes.length;
      this.#head++;
      this.written++;
    }
    if (this.#head > 256 && this.#head * 2 > items.length) {
      this.#items = items.slice(this.#head);
      this.#head = 0;
    }
    return placed;
  }

  /** Records, from record `index` on, that writing out every pending TAL would take. */
  recordsToDrain(index: number): number {
    const items = this.#items;
    let i = this.#head;
    let records = 0;
    while (i < items.length) {
      let room = this.space - timeKeepingTal(index + records).length;
      while (i < items.length && items[i]!.bytes.length <= room) room -= items[i++]!.bytes.length;
      records++;
    }
    return records;
  }
}
