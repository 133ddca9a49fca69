/** @module The simulated MW75's open data link: generated packets, faults applied, handed out in RFCOMM-like chunks (paced) or as fast as read (unthrottled). */
import type { DeviceLink } from "../ports/device-source.ts";
import type { Logger } from "../ports/logger.ts";
import { PACKET_LEN } from "../decoder/types.ts";
import { createEventLoopYield, startPacer } from "./pacer.ts";
import { createPacketGenerator, createPrng, type Prng } from "./signal.ts";
import type { SimOptions } from "./sim.ts";

const RFCOMM_BLOCK = 64;
const DEFAULT_TICK_MS = 10;
const UNTHROTTLED_CHUNK = 4096;
// Unthrottled mode replays a pre-built cycle of packets; a multiple of 256 keeps counters consecutive.
const RING_PACKETS = 256 * 8;
// A reader that stops for this long loses bytes, as a real tty's kernel buffer would overflow.
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;
const FAULT_SEED_SALT = 0x5eed_fa17;

/** Bytes of each slab the queue writes into (about 3 s of packets at 500 Hz). */
const SLAB_BYTES = 64 * 1024;

/**
 * Collects packets (with faults applied) and hands them out in chunks. A chunk is a view of the
 * slab the packets were written into, not a copy: bytes once handed out are never written
 * again (new packets go after them, and a full slab is left to the chunks that view it while
 * the unsent tail moves to a fresh one), so a consumer may keep a chunk as long as it likes.
 */
class ChunkQueue {
  #buf = new Uint8Array(SLAB_BYTES);
  #head = 0;
  /** End of the queued bytes in the current slab. */
  tail = 0;

  get length(): number {
    return this.tail - this.#head;
  }

  /** Makes room for `extra` bytes at `tail` and returns the slab to write them into. */
  reserve(extra: number): Uint8Array {
    if (this.tail + extra > this.#buf.length) {
      const next = new Uint8Array(Math.max(SLAB_BYTES, this.length + extra));
      next.set(this.#buf.subarray(this.#head, this.tail));
      this.tail -= this.#head;
      this.#head = 0;
      this.#buf = next;
    }
    return this.#buf;
  }

  /** Removes and returns the first `size` bytes (a view that stays valid). */
  take(size: number): Uint8Array {
    const chunk = this.#buf.subarray(this.#head, this.#head + size);
    this.#head += size;
    return chunk;
  }
}

type Feed = (out: Uint8Array, at: number, count: number) => void;

function ringFeed(seed: number, rateHz: number, leadOff: readonly number[]): Feed {
  const ring = new Uint8Array(RING_PACKETS * PACKET_LEN);
  createPacketGenerator(seed, 0, rateHz, leadOff).fill(ring, 0, RING_PACKETS);
  let pos = 0;
  return (out, at, count) => {
    let bytes = count * PACKET_LEN;
    while (bytes > 0) {
      const n = Math.min(bytes, ring.length - pos);
      out.set(ring.subarray(pos, pos + n), at);
      at += n;
      bytes -= n;
      pos = (pos + n) % ring.length;
    }
  };
}

/** Appends `count` packets from `feed` to `queue`, dropping/corrupting some when asked. */
function produce(
  queue: ChunkQueue,
  feed: Feed,
  count: number,
  faults: { rand: Prng; corrupt: number; drop: number },
): void {
  const buf = queue.reserve(count * PACKET_LEN);
  const start = queue.tail;
  feed(buf, start, count);
  if (faults.corrupt === 0 && faults.drop === 0) {
    queue.tail += count * PACKET_LEN;
    return;
  }
  let write = start;
  for (let i = 0; i < count; i++) {
    const read = start + i * PACKET_LEN;
    if (faults.drop > 0 && faults.rand() < faults.drop) continue;
    if (write !== read) buf.copyWithin(write, read, read + PACKET_LEN);
    if (faults.corrupt > 0 && faults.rand() < faults.corrupt) {
      // a payload byte (4..60): a single changed byte always breaks the additive checksum
      const at = write + 4 + Math.floor(faults.rand() * 57);
      buf[at] = buf[at]! ^ (1 + Math.floor(faults.rand() * 255));
    }
    write += PACKET_LEN;
  }
  queue.tail = write;
}

/** The link of one successful open: a readable of chunks until closed, cancelled or lost. */
export function openSimLink(
  seed: number,
  rateHz: number,
  batteryLevel: number,
  options: SimOptions,
  log: Logger,
): DeviceLink {
  const faults = {
    rand: createPrng((seed ^ FAULT_SEED_SALT) >>> 0),
    corrupt: options.corruptionRate ?? 0,
    drop: options.dropRate ?? 0,
  };
  const queue = new ChunkQueue();
  const stopFns: Array<() => void> = [];
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let ended = false;

  const end = (): void => {
    if (ended) return;
    ended = true;
    for (const stop of stopFns) stop();
    try {
      controller?.close();
    } catch {
      // already closed or cancelled by the reader
    }
  };

  let readable: ReadableStream<Uint8Array>;
  if (options.unthrottled) {
    const feed = ringFeed(seed, rateHz, options.leadOffChannels ?? []);
    const size = options.chunkBytes ?? UNTHROTTLED_CHUNK;
    const perPull = Math.ceil(size / PACKET_LEN) + 1;
    const turn = createEventLoopYield();
    readable = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
      },
      async pull(c) {
        while (!ended) {
          await turn.due();
          if (ended) return;
          for (let tries = 0; queue.length < size && tries < 64; tries++) {
            produce(queue, feed, perPull, faults);
          }
          if (queue.length >= size) {
            c.enqueue(queue.take(size));
            return;
          }
          // (nearly) every packet dropped: stay silent like a dead link instead of spinning
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      },
      cancel: end,
    });
  } else {
    const generator = createPacketGenerator(seed, 0, rateHz, options.leadOffChannels);
    const feed: Feed = (out, at, count) => generator.fill(out, at, count);
    let overflowLogged = false;
    readable = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
        const deliver = (chunk: Uint8Array): void => {
          if ((c.desiredSize ?? 0) < -MAX_QUEUED_BYTES) {
            if (!overflowLogged) {
              log.log(
                "DEBUG",
                "Simulated MW75: reader too slow, dropping bytes like a full tty buffer",
              );
            }
            overflowLogged = true;
            return;
          }
          c.enqueue(chunk);
        };
        const pacer = startPacer({
          rate: rateHz,
          minIntervalMs: options.tickMs ?? DEFAULT_TICK_MS,
          emit(count) {
            produce(queue, feed, count, faults);
            if (options.chunkBytes !== undefined) {
              while (queue.length >= options.chunkBytes) deliver(queue.take(options.chunkBytes));
            } else if (queue.length >= RFCOMM_BLOCK) {
              deliver(queue.take(queue.length - (queue.length % RFCOMM_BLOCK)));
            }
          },
        });
        stopFns.push(() => pacer.stop());
      },
      cancel: end,
    }, new ByteLengthQueuingStrategy({ highWaterMark: 0 }));
  }

  if (options.linkLossAfterMs !== undefined) {
    const timer = setTimeout(() => {
      log.log(
        "DEBUG",
        `Simulated MW75: link lost after ${options.linkLossAfterMs} ms (fault injected)`,
      );
      end();
    }, options.linkLossAfterMs);
    stopFns.push(() => clearTimeout(timer));
  }
  const cadence = options.unthrottled
    ? "unthrottled"
    : `every ${options.tickMs ?? DEFAULT_TICK_MS} ms`;
  log.log(
    "DEBUG",
    `Simulated MW75: seed ${seed}, delivery ${cadence}, chunks ${
      options.chunkBytes ?? (options.unthrottled ? UNTHROTTLED_CHUNK : "of whole 64-byte blocks")
    }, corruption ${faults.corrupt}, drop ${faults.drop}`,
  );

  return {
    batteryLevel,
    readable,
    close() {
      end();
      return Promise.resolve();
    },
  };
}
