/**
 * @module Serving on node:http (node:https with TLS) with @hono/node-server 1.x and @hono/node-ws
 * (the `ws` package), shared by the Node and the Deno adapter. Deno runs it through its node:http,
 * because Deno.serve offers neither a limit on inbound WebSocket messages nor a deadline for
 * unfinished requests.
 */
import { serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { Buffer } from "node:buffer";
import { createNodeWebSocket } from "@hono/node-ws";
import type { Hono } from "hono";
import type { IncomingMessage } from "node:http";
import { STATUS_CODES } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { ClientSocket } from "../../ports/client-socket.ts";
import type { RunningServer, RuntimeAdapter } from "../../ports/runtime.ts";
import { formatRemote } from "./shared.ts";
import { lingerOnClose } from "./lingering-close.ts";

/** The part of a `ws` WebSocket (ws.raw under @hono/node-ws) the outbox uses. */
interface NodeWsSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  /** The net.Socket underneath (not part of ws's typed API, but stable since ws 1.x). */
  readonly _socket?: { cork(): void; uncork(): void };
}

/**
 * @hono/node-ws hands socket errors (a too-big message among them) to our handler as
 * `new ErrorEvent(…)`, which Node 20 does not have: the constructor throws, the error never
 * reaches us, and the client stays registered until ws gives up on the closing handshake (30 s).
 */
function ensureErrorEvent(): void {
  if (typeof globalThis.ErrorEvent === "function") return;
  class NodeErrorEvent extends Event {
    readonly error: unknown;
    readonly message: string;
    constructor(type: string, init: { error?: unknown; message?: string } = {}) {
      super(type);
      this.error = init.error;
      this.message = init.message ?? (init.error instanceof Error ? init.error.message : "");
    }
  }
  (globalThis as { ErrorEvent?: unknown }).ErrorEvent = NodeErrorEvent;
}

// how often node:http looks for requests past their deadline (its default, 30 s, would let a
// half-sent request live up to 40 s)
const TIMEOUT_CHECK_MS = 1000;

/**
 * RuntimeAdapter.serve on node:http, or node:https when `tls` is given: inbound messages capped
 * (ws closes with 1009), request deadline set.
 */
export const serveOnNodeHttp: RuntimeAdapter["serve"] = (options) => {
  ensureErrorEvent();
  // createNodeWebSocket needs the app, and the app needs its upgrade helper: resolve the cycle lazily
  // deno-lint-ignore prefer-const -- assigned once below, after the closures that read it exist
  let app: Hono | undefined;
  const refusals = new WeakMap<IncomingMessage, string>();
  const lazy = {
    request: async (...args: Parameters<Hono["request"]>) => {
      const response = await app!.request(...args);
      const incoming = (args[2] as { incoming?: IncomingMessage } | undefined)?.incoming;
      // a refused upgrade (404 UNKNOWN_DEVICE, 403 origin): keep the whole answer for the socket
      if (incoming !== undefined && response.status >= 300) {
        refusals.set(incoming, await refusalText(response.clone()));
      }
      return response;
    },
  } as unknown as Hono;
  // baseUrl only sets the scheme of the URL the upgrade request has inside the app
  const nodeWs = createNodeWebSocket({
    app: lazy,
    baseUrl: options.tls ? "https://localhost" : "http://localhost",
  });
  // @hono/node-ws builds its WebSocketServer without options; ws reads maxPayload at each upgrade
  nodeWs.wss.options.maxPayload = options.limits.maxMessageBytes;
  app = options.createApp(nodeWs.upgradeWebSocket);
  const deadline = options.limits.requestTimeoutMs;
  // headers (an upgrade is nothing but headers) must be complete within the deadline
  const timeouts = {
    headersTimeout: deadline,
    requestTimeout: deadline,
    connectionsCheckingInterval: TIMEOUT_CHECK_MS,
  };
  const tls = options.tls;
  const transport = tls
    ? {
      createServer: createHttpsServer,
      // the TLS handshake comes before the headers, so it gets the same deadline (node's default is 120 s)
      serverOptions: { ...timeouts, handshakeTimeout: deadline, cert: tls.cert, key: tls.key },
    }
    : { serverOptions: timeouts };
  return new Promise<RunningServer>((resolve, reject) => {
    const server = serve({
      fetch: app!.fetch,
      hostname: options.hostname,
      port: options.port,
      ...transport,
    }, (info) => {
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
    // a 413 goes out before the body is read: drain before closing, or the client loses the answer
    server.on("connection", (socket: Socket) => lingerOnClose(socket));
    server.on("secureConnection", (socket: Socket) => lingerOnClose(socket));
    // @hono/node-ws answers a refused upgrade with its status line only (Content-Length: 0): send
    // the app's full answer instead, so a client sees why (runs before the library's listener)
    server.prependListener("upgrade", (request: IncomingMessage, socket: Duplex) => {
      const end = socket.end.bind(socket);
      socket.end = ((...args: Parameters<Duplex["end"]>) => {
        const full = refusals.get(request);
        refusals.delete(request);
        return typeof args[0] === "string" && full !== undefined ? end(full) : end(...args);
      }) as Duplex["end"];
    });
    nodeWs.injectWebSocket(server);
  });
};

/** Wraps a `ws` socket: it buffers without limit, so the outbox watches `bufferedAmount`. */
export const nodeWsSocketOf: RuntimeAdapter["socketOf"] = (ws): ClientSocket => {
  const raw = ws.raw as NodeWsSocket;
  return {
    send: (text) => {
      if (raw.readyState !== 1) return false;
      raw.send(text);
      return true;
    },
    sendBinary: (bytes) => {
      if (raw.readyState !== 1) return false;
      raw.send(bytes); // ws sends a Uint8Array as a binary frame
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
};

/** `ip:port` of the peer of a request served by @hono/node-server. */
export const nodeRemoteOf: RuntimeAdapter["remoteOf"] = (c) => formatRemote(getConnInfo(c));

/** An HTTP/1.1 response with the app's status, content type and body, connection closed. */
async function refusalText(response: Response): Promise<string> {
  const body = Buffer.from(await response.text(), "utf8");
  const type = response.headers.get("content-type") ?? "text/plain; charset=UTF-8";
  const head = `HTTP/1.1 ${response.status} ${
    STATUS_CODES[response.status] ?? ""
  }\r\nConnection: close\r\nContent-Type: ${type}\r\nContent-Length: ${body.length}\r\n\r\n`;
  return head + body.toString("utf8");
}
