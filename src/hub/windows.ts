/**
 * @module The `windows` kind (for the metrics stream): windows of `size` consecutive samples of the
 * stream's timeline, one every `hop` samples, read from the device's ring once per distinct
 * (size, hop) and shared by all its subscribers. A window holds the retained samples whose seq is in
 * its span: a gap makes it shorter, and windows that would end inside a gap between blocks are skipped.
 * A group's first window ends at the first sample it sees, or later if the ring holds fewer than `size`.
 * Windows are read into the group's reused buffers: a subscriber uses a window during `onWindow` and
 * keeps none of its arrays (copy what must outlive the call).
 */
import { SampleBuffers } from "../core/sample-buffers.ts";
import type { SampleRing } from "../core/sample-ring.ts";
import { sliceBySeq } from "../core/sample-slice.ts";
import type { SampleBlock } from "../core/samples.ts";
import { Subscribers } from "./subscriber-list.ts";
import type { WindowsSubscriber } from "./subscribers.ts";

/** Subscribers of one (size, hop), and the seq the next window ends at. */
class WindowGroup {
  // copied on change, so a window's delivery needs no copy of its own
  readonly members = new Subscribers<WindowsSubscriber>();
  #next: number | null = null;
  // every window of the group is read into these: a window is lent for the onWindow call only
  readonly #buffers: SampleBuffers;

  constructor(readonly size: number, readonly hop: number) {
    this.#buffers = new SampleBuffers(size);
  }

  /** The ring already holds `block`: every window ending in it goes to `deliver`. */
  push(
    block: SampleBlock,
    ring: SampleRing,
    deliver: (s: WindowsSubscriber, w: SampleBlock) => void,
  ): void {
    if (block.count === 0) return;
    const first = block.seq[0]!;
    const last = block.seq[block.count - 1]!;
    const { size, hop } = this;
    // a new group's first window is the earliest the ring can fill: at once when the device has
    // streamed `size` samples already, else when the stream has
    let next = this.#next ?? Math.max(first, (ring.oldestSeq ?? first) + size - 1);
    if (next < first) next += Math.ceil((first - next) / hop) * hop;
    // at most one window per sample of the block; ends beyond that (a gap inside it) are skipped
    for (let n = 0; next <= last && n < block.count; n++, next += hop) {
      const read = ring.readInto(next - size + 1, size, this.#buffers);
      const window = read === null ? null : sliceBySeq(read, next - size + 1, next);
      if (window === null) continue;
      for (const member of this.members.items) deliver(member, window);
    }
    if (next <= last) next += Math.ceil((last - next + 1) / hop) * hop;
    this.#next = next;
  }
}

/** The window groups of one device. */
export class WindowGroups {
  #ring: SampleRing;
  #groups = new Map<string, WindowGroup>();

  constructor(ring: SampleRing) {
    this.#ring = ring;
  }

  /** Adds a subscriber to the group of its (size, hop); returns its removal. */
  add(sub: WindowsSubscriber): () => void {
    const { size, hop } = sub;
    if (!Number.isInteger(size) || size < 1 || size > this.#ring.capacity) {
      throw new RangeError(
        `Invalid window size ${size}: expected an integer from 1 to ${this.#ring.capacity}`,
      );
    }
    if (!Number.isInteger(hop) || hop < 1) {
      throw new RangeError(`Invalid window hop ${hop}: expected an integer ≥ 1`);
    }
    const key = `${size}/${hop}`;
    let group = this.#groups.get(key);
    if (group === undefined) this.#groups.set(key, group = new WindowGroup(size, hop));
    const g = group;
    if (!g.members.items.includes(sub)) g.members.add(sub);
    return () => {
      g.members.remove(sub);
      if (g.members.items.length === 0 && this.#groups.get(key) === g) this.#groups.delete(key);
    };
  }

  get size(): number {
    return this.#groups.size;
  }

  push(block: SampleBlock, deliver: (s: WindowsSubscriber, w: SampleBlock) => void): void {
    for (const group of this.#groups.values()) group.push(block, this.#ring, deliver);
  }
}
