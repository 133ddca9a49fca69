/** @module Bun's direct write for node:net sockets: the native socket under the stream, skipping node:net's Writable. */
import type { DirectWrite, DirectWriteOf } from "../../ports/direct-write.ts";

/** The part of Bun's native TCP socket (a node:net Socket's `_handle`) used here. */
interface NativeSocket {
  write(bytes: Uint8Array): unknown;
}

function nativeOf(socket: object): NativeSocket | null {
  const handle: unknown = (socket as { _handle?: unknown })._handle;
  if (typeof handle !== "object" || handle === null) return null;
  return typeof (handle as { write?: unknown }).write === "function"
    ? handle as NativeSocket
    : null;
}

/**
 * Bun: node:net's Writable costs ~3× the native send per small chunk (bench/lsl.ts, 100 chunks/s). The
 * native write does not buffer: it returns what the kernel took, possibly part or 0, never throws.
 */
export const bunDirectWrite: DirectWriteOf = (socket) => {
  if (nativeOf(socket) === null) return null;
  const write: DirectWrite = (bytes) => {
    // looked up each time: Bun drops `_handle` when the socket closes
    const native = nativeOf(socket);
    if (native === null) return 0;
    const n = native.write(bytes);
    return typeof n === "number" && n > 0 ? Math.min(n, bytes.length) : 0;
  };
  return write;
};

/** Bun's direct write when running on Bun; Deno and Node keep `socket.write` (their handles differ). */
export function runtimeDirectWrite(): DirectWriteOf | null {
  return "Bun" in globalThis ? bunDirectWrite : null;
}
