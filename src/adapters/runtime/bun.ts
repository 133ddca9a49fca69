/** @module Bun runtime adapter: Bun.serve with hono/bun's WebSocket helper; sends go to ServerWebSocket directly. */
import type { ServerWebSocket } from "bun";
import { getConnInfo, upgradeWebSocket, websocket } from "hono/bun";
import type { RuntimeAdapter } from "../../ports/runtime.ts";
import { bunMonotonic } from "./monotonic-bun.ts";
import { onFirstCall } from "./monotonic.ts";
import { formatRemote, onFirstShutdownSignal } from "./shared.ts";
import { createCollectionPacer } from "./collection-pacer.ts";

// checked once a second; 24 MB: at 200 headsets (~8 MB of garbage a second) a 20-ms full
// collection every 3 s keeps RSS within ~30 MB of its floor; one headset seldom grows that much
const COLLECTION_CHECK_MS = 1000;
const COLLECTION_STEP_BYTES = 24 * 1024 * 1024;

/** Starts the collection pacer (collection-pacer.ts); returns its stop. */
function paceCollections(): () => void {
  const check = createCollectionPacer({
    residentBytes: () => process.memoryUsage.rss(),
    collect: () => Bun.gc(true),
    stepBytes: COLLECTION_STEP_BYTES,
  });
  const timer = setInterval(check, COLLECTION_CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** Bun: the raw socket's send() returns 0 when Bun dropped the message, which hono/bun hides. */
export const bunRuntime: RuntimeAdapter = {
  name: "bun",
  args: process.argv.slice(2),
  env: process.env,
  serve(options) {
    const app = options.createApp(upgradeWebSocket);
    const server = Bun.serve({
      hostname: options.hostname,
      port: options.port,
      fetch: app.fetch,
      // PEM text; Bun then serves https and wss on the same port (and nothing in plain text)
      ...(options.tls ? { tls: { cert: options.tls.cert, key: options.tls.key } } : {}),
      // a larger inbound message closes the socket with 1009 before it is buffered
      websocket: { ...websocket, maxPayloadLength: options.limits.maxMessageBytes },
      // limits.requestTimeoutMs is not ours to set here: Bun (uWebSockets) drops a connection
      // whose request is unfinished after its own fixed 10 s, checked on a 4 s tick, so 10–14 s
      // (12 s measured); `idleTimeout` does not change that (tried 4–9)
    });
    const stopPacing = paceCollections();
    return Promise.resolve({
      port: server.port ?? options.port,
      close: () => {
        stopPacing();
        return server.stop(true);
      },
    });
  },
  socketOf(ws) {
    const raw = ws.raw as ServerWebSocket<unknown>;
    return {
      send: (text) => raw.sendText(text) !== 0,
      sendBinary: (bytes) => raw.sendBinary(bytes) !== 0,
      bufferedAmount: () => raw.getBufferedAmount(),
      close: (code, reason) => raw.close(code, reason),
      batch: (fn) => void raw.cork(fn),
    };
  },
  remoteOf: (c) => formatRemote(getConnInfo(c)),
  onShutdownSignal: (handler) =>
    onFirstShutdownSignal(handler, (signal, listener) => process.on(signal, listener)),
  monotonicSeconds: onFirstCall(() => bunMonotonic((text) => void process.stderr.write(text))),
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  exit: (code) => process.exit(code),
};
