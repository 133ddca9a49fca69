/** @module Replays a raw capture file (the bytes `--capture` saved) as if the headset were sending it. */
import { BridgeError } from "../core/errors.ts";
import type { DeviceSource } from "../core/ports.ts";
import { PACKET_LEN, SAMPLE_RATE_HZ } from "../decoder/types.ts";
import { createEventLoopYield, startPacer } from "./pacer.ts";

/** Options of `createReplaySource`. */
export interface ReplayOptions {
  /** Capture file holding the raw RFCOMM byte stream. */
  path: string;
  /** 1 = real time (500 packets/s), 2 = twice as fast, 0 = as fast as the consumer reads. */
  speed: number;
  /** Reads the whole file (src/adapters/fs.ts readFileBytes in the entries; a fake in tests). */
  readFile: (path: string) => Promise<Uint8Array>;
}

const FAST_CHUNK = 4096;
const RFCOMM_BLOCK = 64;
// delivery cadence in real-time mode, as the simulator's default (fewer wake-ups, same average rate)
const TICK_MS = 10;

/**
 * A capture holds bytes only, no timestamps, so pacing is by packet count: byte offset b is due
 * at b / 63 / (500 × speed) seconds after the link opens (garbage bytes count as if they were
 * packet bytes). Real-time chunks arrive every 10 ms as whole 64-byte blocks, like the simulator's; the last block
 * may be shorter. Every open replays the file from its start, and the link ends after its last byte.
 */
export function createReplaySource(options: ReplayOptions): DeviceSource {
  const { path, speed, readFile } = options;
  if (!(speed >= 0) || !Number.isFinite(speed)) {
    throw new RangeError(`replay speed must be a finite number ≥ 0 (0 = as fast as possible), got ${speed}`);
  }
  return {
    kind: "replay",
    synthetic: false,
    description: `replay of ${path} (${speed === 0 ? "as fast as possible" : `${speed}× real time`})`,
    async open({ signal, log }) {
      log.log("INFO", `Replay: reading capture ${path}`);
      let bytes: Uint8Array;
      try {
        const raw = await readFile(path);
        // a plain view: Node's Buffer.slice would not copy, and chunks handed out must be our own
        bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        throw new BridgeError("CONNECTION_FAILED", `Cannot read capture file ${path}: ${reason}`, { cause: err });
      }
      if (signal.aborted) throw new BridgeError("CONNECTION_FAILED", "Connection attempt cancelled", { cause: signal.reason });
      if (bytes.length === 0) {
        throw new BridgeError("CONNECTION_FAILED", `Capture file ${path} is empty: nothing to replay`);
      }
      log.log("INFO", `Replay: ${bytes.length} bytes (~${Math.floor(bytes.length / PACKET_LEN)} packets) from ${path}`);

      let pos = 0;
      let stop = (): void => {};
      let done = false;
      let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
      const finish = (): void => {
        if (done) return;
        done = true;
        stop();
        try {
          controller?.close();
        } catch {
          // the reader cancelled first
        }
      };
      const emitUpTo = (end: number, c: ReadableStreamDefaultController<Uint8Array>): void => {
        if (end > pos) {
          c.enqueue(bytes.slice(pos, end));
          pos = end;
        }
        if (pos >= bytes.length) {
          log.log("DEBUG", `Replay: end of ${path}`);
          finish();
        }
      };

      const turn = createEventLoopYield();
      const readable =
        speed === 0
          ? new ReadableStream<Uint8Array>({
              start(c) {
                controller = c;
              },
              async pull(c) {
                await turn.due(); // see createEventLoopYield: a synchronous pull would starve the reader's event loop
                if (!done) emitUpTo(Math.min(bytes.length, pos + FAST_CHUNK), c);
              },
              cancel: finish,
            })
          : new ReadableStream<Uint8Array>({
              start(c) {
                controller = c;
                let packets = 0;
                const pacer = startPacer({
                  rate: SAMPLE_RATE_HZ * speed,
                  minIntervalMs: TICK_MS,
                  emit(count) {
                    packets += count;
                    const due = Math.min(bytes.length, packets * PACKET_LEN);
                    emitUpTo(due === bytes.length ? due : due - (due % RFCOMM_BLOCK), c);
                  },
                });
                stop = () => pacer.stop();
              },
              cancel: finish,
            });

      return {
        batteryLevel: null,
        readable,
        close() {
          finish();
          return Promise.resolve();
        },
      };
    },
  };
}
