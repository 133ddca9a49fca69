/** @module Node runtime adapter: @hono/node-server 1.x serve + @hono/node-ws; `ws.raw` is a `ws` WebSocket. */
import { serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { createNodeWebSocket } from "@hono/node-ws";
import type { Hono } from "hono";
import type { RuntimeAdapter } from "../../server/runtime.ts";
import { formatRemote, onFirstShutdownSignal } from "./shared.ts";

/** The part of a `ws` WebSocket (ws.raw under @hono/node-ws) the outbox uses. */
interface NodeWsSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** The net.Socket underneath (not part of ws's typed API, but stable since ws 1.x). */
  readonly _socket?: { cork(): void; uncork(): void };
}

/** Node: the `ws` socket buffers without limit, so the outbox watches `bufferedAmount`. */
export const nodeRuntime: RuntimeAdapter = {
  name: "node",
  args: process.argv.slice(2),
  serve(options) {
    // createNodeWebSocket needs the app, and the app needs its upgrade helper: resolve the cycle lazily
    let app: Hono | undefined;
    const lazy = { request: (...args: Parameters<Hono["request"]>) => app!.request(...args) } as unknown as Hono;
    const nodeWs = createNodeWebSocket({ app: lazy });
    app = options.createApp(nodeWs.upgradeWebSocket);
    return new Promise((resolve, reject) => {
      const server = serve({ fetch: app!.fetch, hostname: options.hostname, port: options.port }, (info) => {
        resolve({
          port: info.port,
          close: () =>
            new Promise<void>((done) => {
              for (const client of nodeWs.wss.clients) client.terminate();
              server.close(() => done());
            }),
        });
      });
      server.once("error", reject);
      nodeWs.injectWebSocket(server);
    });
  },
  socketOf(ws) {
    const raw = ws.raw as NodeWsSocket;
    return {
      send: (text) => {
        if (raw.readyState !== 1) return false;
        raw.send(text);
        return true;
      },
      bufferedAmount: () => raw.bufferedAmount,
      close: (code, reason) => raw.close(code, reason),
      // cork the TCP socket so a chunk's frames leave in one write instead of one syscall each
      batch: (fn) => {
        const tcp = raw._socket;
        tcp?.cork();
        try {
          fn();
        } finally {
          tcp?.uncork();
        }
      },
    };
  },
  remoteOf: (c) => formatRemote(getConnInfo(c)),
  onShutdownSignal: (handler) => onFirstShutdownSignal(handler, (signal, listener) => process.on(signal, listener)),
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  exit: (code) => process.exit(code),
};

