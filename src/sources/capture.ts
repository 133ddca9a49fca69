/** @module Wraps any DeviceSource so the raw bytes of its links are also saved (`--capture FILE`). */
import type { DeviceLink, DeviceSource, LinkChunk } from "../ports/device-source.ts";
import type { CaptureSink } from "../ports/capture-sink.ts";
import { captureRecord } from "../recording/capture-format.ts";

/** A source that captures; call `close()` on shutdown to flush and close the sink. */
export interface CapturingSource extends DeviceSource {
  /** Closes the sink after the pending writes; idempotent. Later links are no longer captured. */
  close(): Promise<void>;
}

/** Options of `withCapture`. */
export interface CaptureOptions {
  /** Unix ms for the boundary records (default `Date.now`). */
  now?: () => number;
}

/**
 * Saves every byte the wrapped source delivers, in order; the bytes of successive links are
 * appended to the same sink, each connection after the first behind a boundary record
 * (src/recording/capture-format.ts), so a replay can tell them apart. The first link of a run
 * gets a record too when the sink was not empty. A failing sink (disk full, file removed)
 * stops the capture with an ERROR log but never interrupts the EEG stream.
 */
export function withCapture(
  source: DeviceSource,
  sink: CaptureSink,
  { now = Date.now }: CaptureOptions = {},
): CapturingSource {
  let writing: Promise<void> = Promise.resolve();
  let broken = false;
  let closed: Promise<void> | undefined;
  // connections of this run that went to the sink: links and boundaries seen inside links
  let connections = 0;

  return {
    kind: source.kind,
    synthetic: source.synthetic,
    description: `${source.description}, capturing raw bytes`,
    ...(source.noDataTimeoutMs !== undefined ? { noDataTimeoutMs: source.noDataTimeoutMs } : {}),
    async open(options) {
      const inner = await source.open(options);
      const { log } = options;
      const reader = inner.readable.getReader();

      /** Queues one write behind the others; `bytes` may decide late (null: nothing to write). */
      const save = (
        bytes: Uint8Array | (() => Uint8Array | null | Promise<Uint8Array | null>),
      ): Promise<void> => {
        if (broken || closed) return Promise.resolve();
        writing = writing
          .then(async () => {
            const chunk = typeof bytes === "function" ? await bytes() : bytes;
            if (chunk !== null && !broken) await sink.write(chunk);
          })
          .catch((err: unknown) => {
            broken = true;
            log.log(
              "ERROR",
              `Capture stopped: cannot write raw bytes (${
                err instanceof Error ? err.message : String(err)
              })`,
            );
          });
        return writing;
      };

      const connection = ++connections;
      const openedAt = now();
      // a single connection into an empty file stays pure raw bytes; the size may still be pending
      void save(async () => {
        const wasEmpty = connection === 1 && ((await sink.bytesAtOpen) ?? 0) === 0;
        return wasEmpty ? null : captureRecord(connection, openedAt);
      });

      const readable = new ReadableStream<LinkChunk>({
        async pull(c) {
          const { done, value } = await reader.read();
          if (done) {
            c.close();
            return;
          }
          // hand the chunk on first so the capture adds no latency; the next pull waits for the
          // write, which keeps writes in order and lets a slow disk push back on the source
          c.enqueue(value);
          if (value instanceof Uint8Array) {
            await save(value);
          } else {
            // a replayed capture moving on to its next connection: keep the boundary in ours
            // (built inside the write chain: a bad marker stops the capture, never the stream)
            const n = ++connections;
            const at = value.startedAtMs ?? now();
            await save(() => captureRecord(n, at));
          }
        },
        cancel(reason) {
          return reader.cancel(reason);
        },
      }, { highWaterMark: 0 });

      const link: DeviceLink = {
        batteryLevel: inner.batteryLevel,
        readable,
        close: () => inner.close(),
      };
      return link;
    },
    close() {
      closed ??= writing.then(() => sink.close());
      return closed;
    },
  };
}
