/** @module Wraps a runtime's byte reader into a ByteStreamHandle whose stream always ends: on EOF, on error and on close(). Runtime-neutral. */
import type { ByteStreamHandle } from "../../ports/tty.ts";

/**
 * Builds the handle. `release` frees whatever else the opener holds (called once); `mapError`
 * turns a read failure into the error the stream reports.
 */
export function readerHandle(
  source: ReadableStreamDefaultReader<Uint8Array>,
  release: () => void,
  mapError: (error: unknown) => Error,
): ByteStreamHandle {
  let done = false;
  let ctrl: ReadableStreamDefaultController<Uint8Array> | undefined;
  const finish = (how: (c: ReadableStreamDefaultController<Uint8Array>) => void): boolean => {
    if (done) return false;
    done = true;
    try {
      release();
    } catch {
      // already gone: nothing left to free
    }
    if (ctrl) {
      try {
        how(ctrl);
      } catch {
        // the consumer cancelled first
      }
    }
    return true;
  };
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      ctrl = controller;
    },
    async pull(controller) {
      try {
        const next = await source.read();
        if (done) return;
        if (next.done) finish((c) => c.close());
        else controller.enqueue(next.value);
      } catch (error) {
        finish((c) => c.error(mapError(error)));
      }
    },
    async cancel() {
      if (finish(() => {})) await source.cancel().catch(() => {});
    },
  });
  return {
    readable,
    async close() {
      // ends our stream first so a consumer blocked in read() sees done at once
      if (finish((c) => c.close())) await source.cancel().catch(() => {});
    },
  };
}
