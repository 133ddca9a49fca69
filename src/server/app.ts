/**
 * @module The Hono app: GET /health, GET /metrics and the WebSocket endpoint on `/` and `/ws`,
 * behind the access gate's Host, Origin and token checks; runtime specifics arrive injected.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { UpgradeWebSocket, WSContext } from "hono/ws";
import type { Bridge, Frame } from "./bridge.ts";
import type { Client } from "./hub.ts";
import type { ClientSocket } from "./outbox.ts";
import type { HostPolicy } from "./access/hosts.ts";
import { hostGuard, originGuard, tokenGuard } from "./access/http-guards.ts";
import { metricsText } from "./metrics.ts";
import { addRecordingRoutes } from "./recording-routes.ts";
import type { RecordingStore } from "../recording/store.ts";

/** Dependencies of the app. */
export interface AppOptions {
  bridge: Bridge;
  upgradeWebSocket: UpgradeWebSocket;
  socketOf(ws: WSContext): ClientSocket;
  remoteOf(c: Context): string;
  /** Which Host names and Origins are this server's (absent: any, as in unit tests). */
  hosts?: HostPolicy;
  /** The recordings directory the download route serves from (absent: no recordings). */
  recordingStore?: RecordingStore;
}

const ANY_HOST: HostPolicy = { originAllowed: () => true, hostAllowed: () => true };

/** Builds the app. */
export function createApp(options: AppOptions): Hono {
  const { bridge } = options;
  const hosts = options.hosts ?? ANY_HOST;
  const app = new Hono();
  app.use("*", hostGuard(hosts));
  app.get("/health", (c) => c.json(bridge.health()));
  app.get("/metrics", tokenGuard(bridge.gate), (c) => c.text(metricsText(bridge), 200, { "Content-Type": "text/plain; version=0.0.4" }));
  addRecordingRoutes(app, bridge, options.recordingStore ?? null);

  const ws = options.upgradeWebSocket((c) => {
    const remote = safeRemote(options, c);
    // who this socket is, decided once from its upgrade request (tokens are never logged)
    const admission = bridge.gate.admit({ authorization: c.req.header("authorization"), protocols: c.req.header("sec-websocket-protocol") });
    let client: Client | null = null;
    // frames are handled strictly in arrival order even when a Blob needs an async read
    let chain: Promise<void> = Promise.resolve();
    return {
      onOpen(_event, socket) {
        client = bridge.open(options.socketOf(socket), remote, admission);
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
  app.get("/", originGuard(hosts), ws);
  app.get("/ws", originGuard(hosts), ws);
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
