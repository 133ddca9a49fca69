/**
 * @module The sample ring's decoded closed segments, least recently used first out. The hub's
 * windows read overlapping ranges ten times a second (a 2-s metrics window spans ~9 segments), and
 * a replay pages through a segment several times: each segment is decoded once while it is in use.
 * The planes are allocated on the first read and let go when reads stop (the ring clears it), so a
 * ring nobody reads costs nothing here.
 */
import { SegmentPlanes } from "./segment-planes.ts";

interface Entry {
  id: number;
  used: number;
  readonly planes: SegmentPlanes;
}

/** Up to `entries` decoded segments of `length` samples, by segment id. */
export class SegmentCache {
  readonly #entries: Entry[] = [];
  #clock = 0;

  constructor(readonly length: number, readonly maxEntries: number) {}

  /** The planes of segment `id`, decoding it with `decode` when it is not held. */
  get(id: number, decode: (into: SegmentPlanes) => void): SegmentPlanes {
    let victim: Entry | null = null;
    for (const e of this.#entries) {
      if (e.id === id) {
        e.used = ++this.#clock;
        return e.planes;
      }
      if (victim === null || e.used < victim.used) victim = e;
    }
    if (this.#entries.length < this.maxEntries || victim === null) {
      victim = { id, used: 0, planes: new SegmentPlanes(this.length) };
      this.#entries.push(victim);
    }
    // an entry being filled holds no segment until decode returns (a throw leaves it unused)
    victim.id = -1;
    decode(victim.planes);
    victim.id = id;
    victim.used = ++this.#clock;
    return victim.planes;
  }

  /** Lets go of every decoded segment (their memory goes back to the collector). */
  clear(): void {
    this.#entries.length = 0;
  }

  /** Bytes of the decoded planes held. */
  get byteSize(): number {
    let bytes = 0;
    for (const e of this.#entries) bytes += e.planes.byteSize;
    return bytes;
  }
}
