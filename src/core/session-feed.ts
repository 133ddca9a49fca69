/** @module The session's data path: link chunks through the WASM decoder into sample blocks, counted per connection for /health. */
import type { Decoder, DecodeStats, PacketBatch } from "../decoder/types.ts";
import type { Clock } from "./clock.ts";
import { PacketStats } from "./packet-stats.ts";
import type { PacketFigures } from "./packet-stats.ts";
import type { LinkBoundary } from "../ports/device-source.ts";
import type { Logger } from "../ports/logger.ts";
import type { SampleBlock } from "./samples.ts";
import type { BlockBuilder, SessionEvents } from "./session-events.ts";

/** What the feed needs from its session. */
export interface SessionFeedOptions {
  /** One decoder, reset at every connection (stats restart per connection, totals survive in /health). */
  decoder: Decoder;
  clock: Clock;
  events: SessionEvents;
  blocks: BlockBuilder;
  log: Logger;
}

/** Decodes one connection at a time; the session says when a connection opens and closes. */
export class SessionFeed {
  #o: SessionFeedOptions;
  #live = false;
  #stats = new PacketStats();
  #arrivalMs = 0;
  /** The current chunk's blocks, handed on once the whole chunk is decoded (so decode time is measurable). */
  #blocks: SampleBlock[] = [];
  readonly #onBatch = (batch: PacketBatch): void => {
    const block = this.#o.blocks.fromBatch(batch, this.#arrivalMs);
    if (block !== null) this.#blocks.push(block);
  };

  constructor(options: SessionFeedOptions) {
    this.#o = options;
  }

  /** Packet totals and rate for /health. */
  figures(): PacketFigures {
    return this.#stats.figures(this.liveStats(), this.#o.clock.now());
  }
  /** The partial packet the decoder holds (what a raw recording must start with to stay decodable). */
  pendingBytes(): Uint8Array {
    return this.#live ? this.#o.decoder.residual() : new Uint8Array(0);
  }
  /** The decoder's figures for the current connection; null while no link is open. */
  liveStats(): DecodeStats | null {
    return this.#live ? this.#o.decoder.stats() : null;
  }

  /** A link opened: a fresh decoder, and the block builder told whether a link loss came before. */
  open(afterLinkLoss: boolean): void {
    this.#o.decoder.reset();
    this.#live = true;
    this.#o.blocks.startConnection(afterLinkLoss);
  }

  /** The link closed: its decoder stats fold into the totals (idempotent). */
  close(): void {
    if (!this.#live) return;
    this.#stats.closeConnection(this.#o.decoder.stats() as DecodeStats);
    this.#o.decoder.reset();
    this.#live = false;
  }

  /** Decodes one chunk that arrived at `now` and hands its blocks on. */
  push(chunk: Uint8Array, now: number): void {
    this.#arrivalMs = now;
    this.#o.events.onBytes?.(chunk);
    this.#o.decoder.pushBatch(chunk, this.#onBatch);
    const decodeMs = this.#o.clock.now() - now;
    const blocks = this.#blocks;
    let samples = 0;
    try {
      for (const block of blocks) {
        samples += block.count;
        this.#o.events.onSamples(block);
      }
    } finally {
      blocks.length = 0;
    }
    this.#stats.count(samples, now);
    this.#o.events.onChunk?.({ arrivalMs: now, decodeMs, samples });
  }

  /** A replayed capture's next recorded connection: its first bytes must not complete our partial packet. */
  boundary({ connection, startedAtMs: t }: LinkBoundary): void {
    const at = t === null ? "" : ` (recorded ${new Date(t).toISOString()})`;
    const dropped = this.#o.decoder.discardTail();
    this.#o.log.log(
      "INFO",
      `Capture connection ${connection} starts here${at}; ${dropped} bytes of an unfinished packet dropped`,
    );
  }
}
