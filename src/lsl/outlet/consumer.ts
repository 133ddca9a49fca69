/** @module One stream-feed consumer: writes chunks at once while its socket keeps up, else queues them, bounded, dropping the oldest. */
import type net from "node:net";
import type { DirectWrite } from "../../ports/direct-write.ts";

/** Bytes the socket may hold unsent before chunks wait in the queue (where they can still be dropped). */
export const SOCKET_HIGH_WATER = 64 * 1024;

export class FeedConsumer {
  private readonly chunks: Uint8Array[] = [];
  private readonly sizes: number[] = [];
  private head = 0;
  private queued = 0;
  dropped = 0;

  /**
   * `bound`: samples that may wait. Every chunk starts with a timestamped sample (tag 2), so dropping
   * whole chunks from the front leaves a stream the inlet can still decode.
   */
  constructor(
    private readonly socket: net.Socket,
    private readonly bound: number,
    private readonly onDrop: (samples: number) => void,
    /** The runtime's cheaper write (Bun), used only while node:net's own queue is empty, so order holds. */
    private readonly direct: DirectWrite | null = null,
  ) {
    socket.on("drain", () => this.flush());
  }

  /** Samples waiting in the queue (not yet handed to the socket). */
  get waiting(): number {
    return this.queued;
  }

  /** `scratch`: `bytes` is overwritten after this call (Float32ChunkEncoder), so what is kept is copied. */
  push(bytes: Uint8Array, samples: number, scratch = false): void {
    if (this.socket.destroyed) return;
    if (this.head === this.chunks.length) {
      const waiting = this.socket.writableLength;
      if (waiting === 0 && this.direct !== null) {
        const n = this.direct(bytes);
        // the kernel took part or nothing: node:net sends the rest and tells 'drain' as before
        if (n < bytes.length) this.socket.write(bytes.slice(n));
        return;
      }
      if (waiting < SOCKET_HIGH_WATER) {
        this.socket.write(scratch ? bytes.slice() : bytes);
        return;
      }
    }
    this.chunks.push(scratch ? bytes.slice() : bytes);
    this.sizes.push(samples);
    this.queued += samples;
    while (this.queued > this.bound && this.head < this.chunks.length) {
      const n = this.sizes[this.head]!;
      this.chunks[this.head] = EMPTY;
      this.head++;
      this.queued -= n;
      this.dropped += n;
      this.onDrop(n);
    }
    this.compact();
  }

  private flush(): void {
    while (this.head < this.chunks.length && this.socket.writableLength < SOCKET_HIGH_WATER) {
      if (this.socket.destroyed) return;
      const bytes = this.chunks[this.head]!;
      this.queued -= this.sizes[this.head]!;
      this.chunks[this.head] = EMPTY;
      this.head++;
      this.socket.write(bytes);
    }
    this.compact();
  }

  /** Drops the consumed front of the arrays once it is most of them (amortised O(1) per chunk). */
  private compact(): void {
    if (this.head === this.chunks.length) {
      this.chunks.length = 0;
      this.sizes.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks.splice(0, this.head);
      this.sizes.splice(0, this.head);
      this.head = 0;
    }
  }
}

const EMPTY = new Uint8Array(0);
