/** @module Deno runtime adapter: Deno.serve with hono/deno's WebSocket helper; `ws.raw` is a WHATWG WebSocket. */
import { getConnInfo, upgradeWebSocket } from "hono/deno";
import type { RuntimeAdapter } from "../../server/runtime.ts";
import { formatRemote, onFirstShutdownSignal } from "./shared.ts";

const encoder = new TextEncoder();

/** Deno: sockets buffer without limit, so the outbox watches `bufferedAmount`. */
export const denoRuntime: RuntimeAdapter = {
  name: "deno",
  args: Deno.args,
  serve(options) {
    const app = options.createApp(upgradeWebSocket);
    return new Promise((resolve) => {
      const server = Deno.serve({
        hostname: options.hostname,
        port: options.port,
        onListen: (addr) => {
          resolve({ port: (addr as Deno.NetAddr).port, close: () => server.shutdown() });
        },
      }, app.fetch);
    });
  },
  socketOf(ws) {
    const raw = ws.raw as WebSocket;
    raw.binaryType = "arraybuffer";
    return {
      send: (text) => {
        if (raw.readyState !== WebSocket.OPEN) return false;
        raw.send(text);
        return true;
      },
      bufferedAmount: () => raw.bufferedAmount,
      close: (code, reason) => raw.close(code, reason),
    };
  },
  remoteOf: (c) => formatRemote(getConnInfo(c)),
  onShutdownSignal: (handler) => onFirstShutdownSignal(handler, (signal, listener) => Deno.addSignalListener(signal, listener)),
  stdout: (text) => writeAll(Deno.stdout, text),
  stderr: (text) => writeAll(Deno.stderr, text),
  exit: (code) => Deno.exit(code),
};

/** writeSync may write part of the buffer (pipes): loop until all of it is out. */
function writeAll(target: { writeSync(p: Uint8Array): number }, text: string): void {
  let bytes = encoder.encode(text);
  while (bytes.length > 0) bytes = bytes.subarray(target.writeSync(bytes));
}
