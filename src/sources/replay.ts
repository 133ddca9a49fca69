/** @module Replays a raw capture file (the bytes `--capture` saved) as if the headset were sending it. */
import { BridgeError } from "../core/errors.ts";
import type { DeviceSource, LinkChunk } from "../ports/device-source.ts";
import { PACKET_LEN, SAMPLE_RATE_HZ } from "../decoder/types.ts";
import { splitCapture } from "../recording/capture-format.ts";
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
 * A capture of several connections (src/recording/capture-format.ts) replays as one link: each
 * boundary record becomes a `LinkBoundary` chunk at its exact place, and records are not
 * paced (offsets above count data bytes only).
 */
export function createReplaySource(options: ReplayOptions): DeviceSource {
  const { path, speed, readFile } = options;
  if (!(speed >= 0) || !Number.isFinite(speed)) {
    throw new RangeError(
      `replay speed must be a finite number ≥ 0 (0 = as fast as possible), got ${speed}`,
    );
  }
  return {
    kind: "replay",
    synthetic: false,
    description: `replay of ${path} (${
      speed === 0 ? "as fast as possible" : `${speed}× real time`
    })`,
    async open({ signal, log }) {
      log.log("INFO", `Replay: reading capture ${path}`);
      let file: Uint8Array;
      try {
        const raw = await readFile(path);
        // a plain view: Node's Buffer.slice would not copy, and chunks handed out must be our own
        file = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        throw new BridgeError("CONNECTION_FAILED", `Cannot read capture file ${path}: ${reason}`, {
          cause: err,
        });
      }
      if (signal.aborted) {
        throw new BridgeError("CONNECTION_FAILED", "Connection attempt cancelled", {
          cause: signal.reason,
        });
      }
      const { data: bytes, marks } = splitCapture(file);
      if (bytes.length === 0) {
        throw new BridgeError(
          "CONNECTION_FAILED",
          `Capture file ${path} is empty: nothing to replay`,
        );
      }
      const records = marks.length === 0
        ? ""
        : `, ${marks.length} connection boundary record${marks.length === 1 ? "" : "s"}`;
      log.log(
        "INFO",
        `Replay: ${bytes.length} bytes (~${
          Math.floor(bytes.length / PACKET_LEN)
        } packets${records}) from ${path}`,
      );

      let pos = 0;
      let nextMark = 0;
      let stop = (): void => {};
      let done = false;
      let controller: ReadableStreamDefaultController<LinkChunk> | undefined;
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
      /** Hands out the data up to `end`, with every boundary up to there at its own place. */
      const emitUpTo = (end: number, c: ReadableStreamDefaultController<LinkChunk>): void => {
        for (;;) {
          const mark = marks[nextMark];
          const until = mark !== undefined && mark.at <= end ? mark.at : end;
          if (until > pos) {
            c.enqueue(bytes.slice(pos, until));
            pos = until;
          }
          if (mark === undefined || mark.at > end) break;
          nextMark++;
          c.enqueue(mark.boundary); // the session logs it, with what the decoder dropped there
        }
        if (pos >= bytes.length && nextMark >= marks.length) {
          log.log("DEBUG", `Replay: end of ${path}`);
          finish();
        }
      };

      const turn = createEventLoopYield();
      const readable = speed === 0
        ? new ReadableStream<LinkChunk>({
          start(c) {
            controller = c;
          },
          async pull(c) {
            await turn.due(); // see createEventLoopYield: a synchronous pull would starve the reader's event loop
            if (!done) emitUpTo(Math.min(bytes.length, pos + FAST_CHUNK), c);
          },
          cancel: finish,
        })
        : new ReadableStream<LinkChunk>({
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
