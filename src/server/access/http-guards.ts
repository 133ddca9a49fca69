/**
 * @module The access gate as Hono middleware: the `Host` check on every route (DNS rebinding),
 * the `Origin` check before a WebSocket upgrade (cross-site hijacking), and the token a protected
 * HTTP route needs when auth is on. Routes only declare that they are protected.
 */
import type { MiddlewareHandler } from "hono";
import type { AccessGate } from "./gate.ts";
import type { HostPolicy } from "./hosts.ts";

/** 403 for a request whose Host names another server. */
export function hostGuard(hosts: HostPolicy): MiddlewareHandler {
  return async (c, next) => {
    if (!hosts.hostAllowed(c.req.header("host"))) {
      return c.text("Forbidden: this server does not answer to that Host name (add it with --allow-origin)\n", 403);
    }
    await next();
  };
}

/** 403 before the upgrade for a browser page from an origin that is not allowed. */
export function originGuard(hosts: HostPolicy): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header("origin");
    if (origin !== undefined && !hosts.originAllowed(origin)) {
      return c.text(`Forbidden: pages from ${origin} may not connect (allow them with --allow-origin)\n`, 403);
    }
    await next();
  };
}

/** With auth on, the route needs `Authorization: Bearer <token>` (any role): 401 otherwise. */
export function tokenGuard(gate: AccessGate): MiddlewareHandler {
  return async (c, next) => {
    if (gate.authEnabled) {
      if (!hasValidToken(gate, c.req.header("authorization"))) {
        c.header("WWW-Authenticate", 'Bearer realm="mw75"');
        return c.json({ code: "AUTH_FAILED", message: "This route needs a valid token: Authorization: Bearer <token>" }, 401);
      }
    }
    await next();
  };
}

/** True when `authorization` is `Bearer <token>` with a token the gate knows (any role). */
export function hasValidToken(gate: AccessGate, authorization: string | undefined): boolean {
  const token = /^Bearer\s+(.+)$/i.exec(authorization ?? "")?.[1]?.trim();
  return token !== undefined && gate.authenticate(token) !== null;
}
