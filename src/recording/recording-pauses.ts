/**
 * @module The pauses of one recording (docs/recording.md "Pause and resume"): which seqs were left
 * out, and where a seq lies on the files' timeline, which goes on without them (EDF+C/BDF+C with
 * the paused time absent). A pause runs from the first seq not written to the first seq written
 * after the resume; a stop that comes while paused ends it at the last seq seen.
 */

/** Seqs `[from, to)` left out; `before`: samples left out by the pauses before it. */
export interface Pause {
  readonly from: number;
  readonly to: number;
  readonly before: number;
}

export class RecordingPauses {
  #done: Pause[] = [];
  /** Samples left out inside the files' span (finished pauses with data after them). */
  skipped = 0;
  /** Pause commands that took effect. */
  count = 0;
  /** Samples are dropped now. */
  paused = false;
  /** A pause whose end is not known yet: paused, or resumed with no sample since. */
  open = false;
  /** First seq the open pause leaves out; null when it began before the first sample. */
  #from: number | null = null;
  /** The last seq seen while paused (the device went on streaming). */
  seen: number | null = null;
  /** The pause a stop ended while paused: no data follows it in the files. */
  trailing: Pause | null = null;

  /** Pauses; `nextSeq` is the first seq not written (null before the first sample). False when already paused. */
  pause(nextSeq: number | null): boolean {
    if (this.paused) return false;
    this.paused = true;
    this.count++;
    // paused again before a sample came since the resume: the same pause goes on
    if (!this.open) {
      this.open = true;
      this.#from = nextSeq;
      this.seen = null;
    }
    return true;
  }

  /** A sample seen (and dropped) while paused: the last one's seq, if any. */
  see(lastSeq: number | undefined): void {
    if (lastSeq !== undefined) this.seen = lastSeq;
  }

  /** Resumes (the pause ends at the next sample written); false when not paused. */
  resume(): boolean {
    if (!this.paused) return false;
    this.paused = false;
    return true;
  }

  /** The first sample after a resume, at `seq`: ends the open pause and returns it (null: nothing was left out). */
  end(seq: number): Pause | null {
    this.open = false;
    const from = this.#from;
    if (from === null || seq <= from) return null;
    const p = { from, to: seq, before: this.skipped };
    this.#done.push(p);
    this.skipped += seq - from;
    return p;
  }

  /** A stop while the pause is open: it ends at the last seq seen (null: nothing was seen after its start). */
  stop(): Pause | null {
    if (!this.open) return null;
    this.open = false;
    this.paused = false;
    const from = this.#from;
    if (from === null || this.seen === null || this.seen < from) return null;
    this.trailing = { from, to: this.seen + 1, before: this.skipped };
    return this.trailing;
  }

  /** Samples left out in all, the open pause up to the last seq seen included. */
  total(): number {
    const open = this.open && this.#from !== null && this.seen !== null
      ? Math.max(0, this.seen + 1 - this.#from)
      : 0;
    const trailing = this.trailing === null ? 0 : this.trailing.to - this.trailing.from;
    return this.skipped + open + trailing;
  }

  /** The pause `seq` lies in (finished, or the open one), else null. */
  within(seq: number): Pause | null {
    if (this.open && this.#from !== null && seq >= this.#from) {
      return { from: this.#from, to: Infinity, before: this.skipped };
    }
    // pauses are few (one per command): a scan from the newest is cheap
    for (let i = this.#done.length - 1; i >= 0; i--) {
      const p = this.#done[i]!;
      if (seq >= p.to) return null;
      if (seq >= p.from) return p;
    }
    return null;
  }

  /**
   * `seq` as the files' timeline counts it: the seq it would have without the samples left out
   * before it. A seq inside a pause lies at its start (where the files go on after it).
   */
  unpaused(seq: number): number {
    const inside = this.within(seq);
    if (inside !== null) return inside.from - inside.before;
    for (let i = this.#done.length - 1; i >= 0; i--) {
      const p = this.#done[i]!;
      if (seq >= p.to) return seq - p.before - (p.to - p.from);
    }
    return seq;
  }
}

/** `seconds` as the annotation writes it: up to 3 decimals (samples are 2 ms apart), no trailing zeros. */
export function pausedText(samples: number, rateHz: number): string {
  return `paused ${String(Number((samples / rateHz).toFixed(3)))} s`;
}
