/** @module The Hono app: GET /health and the WebSocket endpoint on `/` and `/ws`; runtime specifics arrive injected. */
import { Hono } from "hono";
import type { Context } from "hono";
import type { UpgradeWebSocket, WSContext } from "hono/ws";
import type { Bridge, Frame } from "./bridge.ts";
import type { Client } from "./hub.ts";
import type { ClientSocket } from "./outbox.ts";

/** Dependencies of the app. */
export interface AppOptions {
  bridge: Bridge;
  upgradeWebSocket: UpgradeWebSocket;
  socketOf(ws: WSContext): ClientSocket;
  remoteOf(c: Context): string;
}

/** Builds the app. */
export function createApp(options: AppOptions): Hono {
  const { bridge } = options;
  const app = new Hono();
  app.get("/health", (c) => c.json(bridge.health()));

  const ws = options.upgradeWebSocket((c) => {
    const remote = safeRemote(options, c);
    let client: Client | null = null;
    // frames are handled strictly in arrival order even when a Blob needs an async read
    let chain: Promise<void> = Promise.resolve();
    return {
      onOpen(_event, socket) {
        client = bridge.open(options.socketOf(socket), remote);
      },
      onMessage(event, _socket) {
        const current = client;
        if (current === null) return;
        const data = event.data;
        if (typeof Blob !== "undefined" && data instanceof Blob) {
          chain = chain.then(async () => bridge.message(current, await data.arrayBuffer()));
        } else {
          chain = chain.then(() => bridge.message(current, data as Frame));
        }
      },
      onClose() {
        if (client !== null) bridge.close(client);
        client = null;
      },
      onError() {
        if (client !== null) bridge.close(client);
        client = null;
      },
    };
  });
  app.get("/", ws);
  app.get("/ws", ws);
  app.get("/", (c) => c.text("MW75 bridge: open a WebSocket here (or on /ws); GET /health for status\n"));
  app.get("/ws", (c) => c.text("WebSocket endpoint\n", 426));
  return app;
}

function safeRemote(options: AppOptions, c: Context): string {
  try {
    return options.remoteOf(c);
  } catch {
    return "unknown:0";
  }
}
