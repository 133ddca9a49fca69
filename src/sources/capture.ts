/** @module Wraps any DeviceSource so the raw bytes of its links are also saved (`--capture FILE`). */
import type { DeviceLink, DeviceSource } from "../core/ports.ts";

/** Where captured bytes go (src/adapters/fs.ts createFileSink appends to a file). */
export interface CaptureSink {
  write(chunk: Uint8Array): void | Promise<void>;
  close(): Promise<void>;
}

/** A source that captures; call `close()` on shutdown to flush and close the sink. */
export interface CapturingSource extends DeviceSource {
  /** Closes the sink after the pending writes; idempotent. Later links are no longer captured. */
  close(): Promise<void>;
}

/**
 * Saves every byte the wrapped source delivers, in order; the bytes of successive links are
 * appended to the same sink. A failing sink (disk full, file removed) stops the capture with an
 * ERROR log but never interrupts the EEG stream.
 */
export function withCapture(source: DeviceSource, sink: CaptureSink): CapturingSource {
  let writing: Promise<void> = Promise.resolve();
  let broken = false;
  let closed: Promise<void> | undefined;

  return {
    kind: source.kind,
    synthetic: source.synthetic,
    description: `${source.description}, capturing raw bytes`,
    async open(options) {
      const inner = await source.open(options);
      const { log } = options;
      const reader = inner.readable.getReader();

      const save = (chunk: Uint8Array): Promise<void> => {
        if (broken || closed) return Promise.resolve();
        writing = writing
          .then(() => sink.write(chunk))
          .catch((err: unknown) => {
            broken = true;
            log.log("ERROR", `Capture stopped: cannot write raw bytes (${err instanceof Error ? err.message : String(err)})`);
          });
        return writing;
      };

      const readable = new ReadableStream<Uint8Array>({
        async pull(c) {
          const { done, value } = await reader.read();
          if (done) {
            c.close();
            return;
          }
          // hand the chunk on first so the capture adds no latency; the next pull waits for the
          // write, which keeps writes in order and lets a slow disk push back on the source
          c.enqueue(value);
          await save(value);
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
