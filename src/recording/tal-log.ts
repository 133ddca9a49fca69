/**
 * @module The TALs of the last data records written, so a marker that arrives after its record
 * went out can still be put in onset order: the records from the first one holding a later
 * annotation are laid out again, sorted, and rewritten (in memory or as file patches).
 */
import { timeKeepingTal } from "./tal.ts";
import type { QueuedTal } from "./tal.ts";

/** A record's annotation space as written. `target` is its buffer while the writer still holds it. */
interface Slot {
  readonly index: number;
  items: QueuedTal[];
  target: Uint8Array | null;
  readonly offset: number;
}

/** A record whose annotation space was laid out again: `bytes` replace all of it. */
export interface Rewrite {
  readonly index: number;
  readonly bytes: Uint8Array;
  /** The record's buffer when it was not handed over yet (already rewritten in place), else null. */
  readonly target: Uint8Array | null;
}

export class TalLog {
  #slots: Slot[] = [];

  /** `space` = annotation bytes per record; `keep` = how many of the last records can be rewritten. */
  constructor(readonly space: number, readonly keep: number) {}

  /** Record `index`'s annotation space (at `target[offset…]`) now holds `items`, in this order. */
  placed(index: number, items: QueuedTal[], target: Uint8Array, offset: number): void {
    this.#slots.push({ index, items, target, offset });
    if (this.#slots.length > this.keep * 2) this.#slots = this.#slots.slice(-this.keep);
  }

  /** Records below `index` were handed over: their buffers are no longer ours to change. */
  released(index: number): void {
    // not just the newest: a gap's zero records are laid out after the record behind them
    for (const slot of this.#slots) if (slot.index < index) slot.target = null;
  }

  /**
   * Puts `late` among the kept records in onset order, when one of them holds a later annotation.
   * Returns the records whose annotations changed and what no longer fits (it goes back to the
   * queue), or null when `late` is not late (the queue places it as usual).
   */
  insert(late: QueuedTal): { rewrites: Rewrite[]; leftover: QueuedTal[] } | null {
    const slots = this.#slots.slice(-this.keep);
    let from = Infinity;
    for (const s of slots) {
      if (s.items.some((t) => t.onsetS > late.onsetS)) from = Math.min(from, s.index);
    }
    if (from === Infinity) return null;
    from = Math.min(from, Math.max(Math.floor(late.onsetS), slots[0]!.index));
    const affected = slots.filter((s) => s.index >= from).sort((a, b) => a.index - b.index);
    // stable: a late annotation goes after those already written at the same onset
    const items = [...affected.flatMap((s) => s.items), late].sort((a, b) => a.onsetS - b.onsetS);
    let next = 0;
    const rewrites: Rewrite[] = [];
    for (const slot of affected) {
      const bytes = new Uint8Array(this.space);
      const tk = timeKeepingTal(slot.index);
      bytes.set(tk, 0);
      let at = tk.length;
      const placed: QueuedTal[] = [];
      while (next < items.length) {
        const t = items[next]!;
        if (t.onsetS >= slot.index + 1 || at + t.bytes.length > this.space) break;
        bytes.set(t.bytes, at);
        at += t.bytes.length;
        placed.push(t);
        next++;
      }
      // usually only the late one's record changes: the others are not rewritten
      if (placed.length === slot.items.length && placed.every((t, i) => t === slot.items[i])) {
        continue;
      }
      slot.items = placed;
      if (slot.target !== null) slot.target.set(bytes, slot.offset);
      rewrites.push({ index: slot.index, bytes, target: slot.target });
    }
    return { rewrites, leftover: items.slice(next) };
  }
}
