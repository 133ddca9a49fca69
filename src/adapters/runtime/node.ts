/** @module Node runtime adapter: node:http through @hono/node-server 1.x + @hono/node-ws (see node-http.ts). */
import type { RuntimeAdapter } from "../../ports/runtime.ts";
import { nodeRemoteOf, nodeWsSocketOf, serveOnNodeHttp } from "./node-http.ts";
import { onFirstShutdownSignal } from "./shared.ts";

/** Node: `ws` sockets buffer without limit, so the outbox watches `bufferedAmount`. */
export const nodeRuntime: RuntimeAdapter = {
  name: "node",
  args: process.argv.slice(2),
  env: process.env,
  serve: serveOnNodeHttp,
  socketOf: nodeWsSocketOf,
  remoteOf: nodeRemoteOf,
  onShutdownSignal: (handler) =>
    onFirstShutdownSignal(handler, (signal, listener) => process.on(signal, listener)),
  // libuv's uv_hrtime: CLOCK_MONOTONIC on Linux (measured equal to python's time.monotonic)
  monotonicSeconds: () => Number(process.hrtime.bigint()) / 1e9,
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  exit: (code) => process.exit(code),
};
