/**
 * @module The Hono app: GET / (the dashboard page), /health, /metrics and /devices, the recordings routes, and the
 * WebSocket endpoints — `/` and `/ws` for the default device, `/devices/<device_id>/ws` for any —
 * behind the access gate's Host, Origin and token checks; runtime specifics arrive injected.
 */
import { Hono } from "hono";
import type { Context, MiddlewareHandler } from "hono";
import type { UpgradeWebSocket, WSContext } from "hono/ws";
import type { Frame, ServedDevice } from "./served-device.ts";
import type { Bridge } from "./bridge.ts";
import type { Client } from "./client-registry.ts";
import type { ClientSocket } from "../ports/client-socket.ts";
import type { HostPolicy } from "./access/hosts.ts";
import {
  declaredBodyGuard,
  hasValidToken,
  hostGuard,
  originGuard,
  rateGuard,
  tokenGuard,
} from "./access/http-guards.ts";
import { bridgeHealth } from "./health.ts";
import { healthFor } from "./access/health-view.ts";
import { metricsText } from "./metrics.ts";
import { addRecordingRoutes } from "./recording-routes.ts";
import { addLoginRoutes } from "./access/login-routes.ts";
import type { RecordingStore } from "../ports/recording-store.ts";

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
  /** `--rate-limit`: requests per second per client on routes that take a body (absent: no limit). */
  rateLimit?: number;
}

const ANY_HOST: HostPolicy = { originAllowed: () => true, hostAllowed: () => true };

/** Builds the app. */
export function createApp(options: AppOptions): Hono {
  const { bridge } = options;
  const gate = bridge.default.gate;
  const hosts = options.hosts ?? ANY_HOST;
  const app = new Hono();
  app.use("*", hostGuard(hosts));
  // a declared body over the limit is refused on every route before anything is read; the route
  // that takes a body also counts a chunked one, after its token and rate guards (recording-routes.ts)
  app.use("*", declaredBodyGuard());
  // `auth_required` tells pages like the dashboard whether the token-guarded routes need a token,
  // `password_login` whether to offer a login form (POST /login)
  app.get(
    "/health",
    (c) =>
      c.json(
        healthFor(gate, c.req.header("authorization"), {
          ...bridgeHealth(bridge),
          auth_required: gate.authEnabled,
          password_login: gate.passwordLogin,
        }),
      ),
  );
  app.get(
    "/metrics",
    tokenGuard(gate),
    (c) => c.text(metricsText(bridge), 200, { "Content-Type": "text/plain; version=0.0.4" }),
  );
  app.get("/devices", tokenGuard(gate), (c) => c.json({ devices: bridge.describe() }));
  addRecordingRoutes(
    app,
    bridge,
    options.recordingStore ?? null,
    rateGuard(
      options.rateLimit,
      (c) => safeRemote(options, c),
      (a) => gate.authEnabled && hasValidToken(gate, a),
    ),
  );

  addLoginRoutes(app, {
    gate,
    remoteOf: (c) => safeRemote(options, c),
    before: [originGuard(hosts), rateGuard(options.rateLimit, (c) => safeRemote(options, c))],
  });

  const defaultSocket = socketRoute(options, () => bridge.default, false);
  app.get("/", originGuard(hosts), defaultSocket);
  app.get("/ws", originGuard(hosts), defaultSocket);
  // a browser GET without Upgrade gets the dashboard (docs/protocol/bridge-api.md §8); the upgrade above is unchanged
  // the page (60 KB of text) is loaded by the first request for it, not held by every server from start-up
  app.get("/", async (c) => {
    const { DASHBOARD_HTML } = await import("./dashboard-asset.ts");
    return c.html(DASHBOARD_HTML, 200, { "Cache-Control": "no-cache" });
  });
  app.get("/ws", (c) => c.text("WebSocket endpoint\n", 426));
  // an unknown device is refused before the upgrade, so no socket opens for it
  app.get(
    "/devices/:id/ws",
    knownDevice(bridge),
    originGuard(hosts),
    socketRoute(options, (c) => bridge.get(c.req.param("id") ?? "")!, true),
  );
  app.get("/devices/:id/ws", (c) => c.text(`WebSocket endpoint of ${c.req.param("id")}\n`, 426));
  return app;
}

/** 404 UNKNOWN_DEVICE for a path naming no device. */
function knownDevice(bridge: Bridge): MiddlewareHandler {
  return async (c, next) => {
    const id = c.req.param("id") ?? "";
    if (bridge.get(id) === undefined) {
      return c.json({
        code: "UNKNOWN_DEVICE",
        message: `No device ${JSON.stringify(id)}; GET /devices lists them`,
      }, 404);
    }
    await next();
  };
}

/** The WebSocket handler of one device's socket (`perDevice`: its messages name the device). */
function socketRoute(
  options: AppOptions,
  deviceOf: (c: Context) => ServedDevice,
  perDevice: boolean,
): MiddlewareHandler {
  return options.upgradeWebSocket((c) => {
    const device = deviceOf(c);
    const remote = safeRemote(options, c);
    // who this socket is, decided once from its upgrade request (tokens are never logged)
    const admission = device.gate.admit({
      authorization: c.req.header("authorization"),
      protocols: c.req.header("sec-websocket-protocol"),
    });
    let client: Client | null = null;
    // frames are handled strictly in arrival order even when a Blob needs an async read
    let chain: Promise<void> = Promise.resolve();
    return {
      onOpen(_event, socket) {
        client = device.open(options.socketOf(socket), remote, admission, perDevice);
      },
      onMessage(event, _socket) {
        const current = client;
        if (current === null) return;
        const data = event.data;
        if (typeof Blob !== "undefined" && data instanceof Blob) {
          chain = chain.then(async () => device.message(current, await data.arrayBuffer()));
        } else {
          chain = chain.then(() => device.message(current, data as Frame));
        }
      },
      onClose() {
        if (client !== null) device.close(client);
        client = null;
      },
      onError() {
        if (client !== null) device.close(client);
        client = null;
      },
    };
  });
}

function safeRemote(options: AppOptions, c: Context): string {
  try {
    return options.remoteOf(c);
  } catch {
    return "unknown:0";
  }
}
