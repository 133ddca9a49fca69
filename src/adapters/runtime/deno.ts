/**
 * @module Deno runtime adapter: serves through Deno's node:http with the same code as Node
 * (node-http.ts), because Deno.serve can neither cap inbound WebSocket messages nor drop requests
 * that never finish; signals and stdio are Deno's own.
 */
import type { RuntimeAdapter } from "../../ports/runtime.ts";
import { nodeRemoteOf, nodeWsSocketOf, serveOnNodeHttp } from "./node-http.ts";
import { onFirstShutdownSignal } from "./shared.ts";

const encoder = new TextEncoder();

/** Deno: `ws` sockets buffer without limit, so the outbox watches `bufferedAmount`. */
export const denoRuntime: RuntimeAdapter = {
  name: "deno",
  args: Deno.args,
  env: Deno.env.toObject(),
  serve: serveOnNodeHttp,
  socketOf: nodeWsSocketOf,
  remoteOf: nodeRemoteOf,
  onShutdownSignal: (handler) =>
    onFirstShutdownSignal(handler, (signal, listener) => Deno.addSignalListener(signal, listener)),
  stdout: (text) => writeAll(Deno.stdout, text),
  stderr: (text) => writeAll(Deno.stderr, text),
  exit: (code) => Deno.exit(code),
};

/** writeSync may write part of the buffer (pipes): loop until all of it is out. */
function writeAll(target: { writeSync(p: Uint8Array): number }, text: string): void {
  let bytes = encoder.encode(text);
  while (bytes.length > 0) bytes = bytes.subarray(target.writeSync(bytes));
}
