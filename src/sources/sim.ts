/** @module The simulated MW75: seeded synthetic EEG packets at 500 Hz in RFCOMM-like chunks, with fault injection. */
import { BridgeError } from "../core/errors.ts";
import type { DeviceLink, DeviceSource } from "../ports/device-source.ts";
import type { Logger } from "../ports/logger.ts";
import { PACKET_LEN } from "../decoder/types.ts";
import { createEventLoopYield, sleepUnlessAborted, startPacer } from "./pacer.ts";
import { createPacketGenerator, createPrng, type Prng } from "./signal.ts";

export { simPackets, simRawChannels } from "./signal.ts";

/** Knobs of the simulator; every field is optional. */
export interface SimOptions {
  /** PRNG seed: same seed ⇒ same bytes (default 1). */
  seed?: number;
  /** Packets per second (default 500). */
  rateHz?: number;
  /** Emit as fast as the consumer reads instead of in real time (benchmarks). */
  unthrottled?: boolean;
  /**
   * Size of every chunk. Default: real-time mode hands over all complete 64-byte blocks at each
   * tick as one chunk (RFCOMM-like, never aligned to 63-byte packets); unthrottled mode uses 4096.
   */
  chunkBytes?: number;
  /**
   * Real-time mode: how often the simulated link delivers (ms, default 10): each delivery
   * carries every packet due by then, like a host reading an RFCOMM tty in bursts. 2 wakes the
   * reader once per packet at 500 Hz (closer to a per-packet device, but ~5× the timer wake-ups).
   */
  tickMs?: number;
  /** Battery percentage reported after activation (default 85). */
  batteryLevel?: number;
  /** Simulated BLE activation time before the link opens (default 20 ms). */
  activationDelayMs?: number;
  /** open() rejects with BLE_ACTIVATION_FAILED. */
  failActivation?: boolean;
  /** open() rejects with RFCOMM_CONNECTION_FAILED. */
  failRfcomm?: boolean;
  /** The first N opens fail with BLE_ACTIVATION_FAILED; later ones succeed. */
  failOpens?: number;
  /** The readable ends this long after the link opened, as when the headset goes out of range. */
  linkLossAfterMs?: number;
  /** Probability per packet that one of its payload bytes is flipped (checksum then fails). */
  corruptionRate?: number;
  /** Probability per packet that it is omitted (counters then gap). */
  dropRate?: number;
  /** 1-based channels that sit on the lead-off sentinel (raw 8388607) from the first packet on. */
  leadOffChannels?: number[];
}

const RFCOMM_BLOCK = 64;
const DEFAULT_TICK_MS = 10;
const UNTHROTTLED_CHUNK = 4096;
// Unthrottled mode replays a pre-built cycle of packets; a multiple of 256 keeps counters consecutive.
const RING_PACKETS = 256 * 8;
// A reader that stops for this long loses bytes, as a real tty's kernel buffer would overflow.
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;
const FAULT_SEED_SALT = 0x5eed_fa17;

function checkRange(name: string, value: number | undefined, min: number, max: number): void {
  if (value !== undefined && !(value >= min && value <= max)) {
    throw new RangeError(`sim option ${name} must be within [${min}, ${max}], got ${value}`);
  }
}

/** Creates the simulated headset. Invalid options throw a RangeError at once. */
export function createSimSource(options: SimOptions = {}): DeviceSource {
  checkRange("rateHz", options.rateHz, 1e-3, 1e6);
  checkRange("chunkBytes", options.chunkBytes, 1, 1 << 24);
  checkRange("batteryLevel", options.batteryLevel, 0, 100);
  checkRange("corruptionRate", options.corruptionRate, 0, 1);
  checkRange("dropRate", options.dropRate, 0, 1);
  checkRange("failOpens", options.failOpens, 0, Number.MAX_SAFE_INTEGER);
  checkRange("tickMs", options.tickMs, 0, 1000);
  checkRange("activationDelayMs", options.activationDelayMs, 0, 3_600_000);
  checkRange("linkLossAfterMs", options.linkLossAfterMs, 0, Number.MAX_SAFE_INTEGER);
  for (const ch of options.leadOffChannels ?? []) checkRange("leadOffChannels", ch, 1, 12);
  const seed = options.seed ?? 1;
  const rateHz = options.rateHz ?? 500;
  const batteryLevel = options.batteryLevel ?? 85;
  let opens = 0;

  return {
    kind: "sim",
    synthetic: true,
    description: `simulated MW75 (synthetic data, seed ${seed}, ${rateHz} Hz${
      options.unthrottled ? ", unthrottled" : ""
    })`,
    async open({ signal, log }) {
      opens++;
      log.log("INFO", "Simulated MW75: activating over BLE (synthetic data)");
      await sleepUnlessAborted(options.activationDelayMs ?? 20, signal);
      if (options.failActivation || opens <= (options.failOpens ?? 0)) {
        throw new BridgeError(
          "BLE_ACTIVATION_FAILED",
          "BLE activation failed: the simulated headset did not confirm EEG mode (fault injected by the simulator)",
        );
      }
      log.log("INFO", `Simulated MW75: BLE activation complete, battery ${batteryLevel}%`);
      if (options.failRfcomm) {
        throw new BridgeError(
          "RFCOMM_CONNECTION_FAILED",
          "RFCOMM connection on channel 25 failed: the simulated headset refused the data link (fault injected by the simulator)",
        );
      }
      const link = openLink(seed, rateHz, batteryLevel, options, log);
      log.log(
        "INFO",
        `Simulated MW75: data link open, ${rateHz} Hz${
          options.unthrottled ? " (unthrottled)" : ""
        }`,
      );
      return link;
    },
  };
}

/** Collects packets (with faults applied) and hands them out in chunks. */
class ChunkQueue {
  private buf = new Uint8Array(16 * 1024);
  length = 0;

  reserve(extra: number): Uint8Array {
    if (this.length + extra > this.buf.length) {
      const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.length + extra));
      bigger.set(this.buf.subarray(0, this.length));
      this.buf = bigger;
    }
    return this.buf;
  }

  /** Removes and returns a copy of the first `size` bytes. */
  take(size: number): Uint8Array {
    const chunk = this.buf.slice(0, size);
    this.buf.copyWithin(0, size, this.length);
    this.length -= size;
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
  const start = queue.length;
  const buf = queue.reserve(count * PACKET_LEN);
  feed(buf, start, count);
  if (faults.corrupt === 0 && faults.drop === 0) {
    queue.length += count * PACKET_LEN;
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
  queue.length = write;
}

function openLink(
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
        const pacer = startPacer({
          rate: rateHz,
          minIntervalMs: options.tickMs ?? DEFAULT_TICK_MS,
          emit(count) {
            produce(queue, feed, count, faults);
            const chunks: Uint8Array[] = [];
            if (options.chunkBytes !== undefined) {
              while (queue.length >= options.chunkBytes) {
                chunks.push(queue.take(options.chunkBytes));
              }
            } else if (queue.length >= RFCOMM_BLOCK) {
              chunks.push(queue.take(queue.length - (queue.length % RFCOMM_BLOCK)));
            }
            for (const chunk of chunks) {
              if ((c.desiredSize ?? 0) < -MAX_QUEUED_BYTES) {
                if (!overflowLogged) {
                  log.log(
                    "DEBUG",
                    "Simulated MW75: reader too slow, dropping bytes like a full tty buffer",
                  );
                }
                overflowLogged = true;
                continue;
              }
              c.enqueue(chunk);
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
