/**
 * @module The access gate as Hono middleware: the `Host` check on every route (DNS rebinding),
 * the `Origin` check before a WebSocket upgrade (cross-site hijacking), and the token a protected
 * HTTP route needs when auth is on, and the body and rate limits of routes that take a body.
 * Routes only declare that they are protected.
 */
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { bearerToken } from "./gate.ts";
import type { AccessGate } from "./gate.ts";
import type { HostPolicy } from "./hosts.ts";
import { addressOf, RateLimiter } from "./rate-limit.ts";

/** 403 for a request whose Host names another server. */
export function hostGuard(hosts: HostPolicy): MiddlewareHandler {
  return async (c, next) => {
    if (!hosts.hostAllowed(c.req.header("host"))) {
      return c.text(
        "Forbidden: this server does not answer to that Host name (add it with --allow-origin)\n",
        403,
      );
    }
    await next();
  };
}

/** 403 before the upgrade for a browser page from an origin that is not allowed. */
export function originGuard(hosts: HostPolicy): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header("origin");
    if (origin !== undefined && !hosts.originAllowed(origin)) {
      return c.text(
        `Forbidden: pages from ${origin} may not connect (allow them with --allow-origin)\n`,
        403,
      );
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
        return c.json({
          code: "AUTH_FAILED",
          message: "This route needs a valid token: Authorization: Bearer <token>",
        }, 401);
      }
    }
    await next();
  };
}

/** True when `authorization` is `Bearer <token>` with a token the gate knows (any role). */
export function hasValidToken(gate: AccessGate, authorization: string | undefined): boolean {
  const token = bearerToken(authorization);
  return token !== undefined && gate.authenticate(token) !== null;
}

/** Largest request body any route takes: a marker is under 1 KB, so 16 KiB leaves room for escapes. */
export const MAX_BODY_BYTES = 16 * 1024;

/** The 413 answer; the connection is closed after it, so the rest of the body is never read. */
function tooLarge(c: Context, maxBytes: number): Response {
  c.header("Connection", "close");
  return c.json({
    code: "BODY_TOO_LARGE",
    message:
      `The request body is over the limit of ${maxBytes} bytes (a marker needs well under 1 KB)`,
  }, 413);
}

/**
 * 413 BODY_TOO_LARGE on any route for a request whose `Content-Length` is over `maxBytes`: decided
 * on the header alone, nothing is read (so the app-wide check costs a flooder's bytes nothing).
 */
export function declaredBodyGuard(maxBytes = MAX_BODY_BYTES): MiddlewareHandler {
  return async (c, next) => {
    if (Number(c.req.header("content-length") ?? 0) > maxBytes) return tooLarge(c, maxBytes);
    await next();
  };
}

/**
 * 413 BODY_TOO_LARGE for a body over `maxBytes`, declared or counted as a chunked body streams in
 * (hono/body-limit does both). It reads the body, so a route puts it after its token and rate
 * guards: a client refused by those never has a byte of its body read.
 */
export function bodyGuard(maxBytes = MAX_BODY_BYTES): MiddlewareHandler {
  return bodyLimit({ maxSize: maxBytes, onError: (c) => tooLarge(c, maxBytes) });
}

// an idle client's bucket is full again after 2 s (bursts of 2 s worth): forget it after 10 s
const IDLE_FORGET_MS = 10_000;
const PRUNE_ABOVE = 1000;

/**
 * The WebSocket inbound rate limit (`--rate-limit`, RateLimiter) for HTTP requests, one bucket per
 * client: the bearer token when it is one the gate knows, else the remote IP address (each request
 * has its own port; an unknown token would let a flooder take a fresh bucket per request). Excess
 * requests get 429 RATE_LIMITED with `Retry-After`, before their body is read.
 */
export function rateGuard(
  ratePerSecond: number | undefined,
  remoteOf: (c: Context) => string,
  knownToken: (authorization: string | undefined) => boolean = () => false,
  now: () => number = Date.now,
): MiddlewareHandler {
  const buckets = new Map<string, { limiter: RateLimiter; seenAt: number }>();
  return async (c, next) => {
    if (ratePerSecond === undefined) return next();
    const t = now();
    const authorization = c.req.header("authorization");
    const token = knownToken(authorization) ? bearerToken(authorization) : undefined;
    const key = token !== undefined ? `token:${token}` : `ip:${addressOf(remoteOf(c))}`;
    if (buckets.size > PRUNE_ABOVE) {
      for (const [k, b] of buckets) if (t - b.seenAt > IDLE_FORGET_MS) buckets.delete(k);
    }
    let bucket = buckets.get(key);
    if (bucket === undefined) {
      buckets.set(key, bucket = { limiter: new RateLimiter(ratePerSecond, now), seenAt: t });
    }
    bucket.seenAt = t;
    if (bucket.limiter.take() !== "accept") {
      c.header("Retry-After", String(Math.max(1, Math.ceil(1 / ratePerSecond))));
      c.header("Connection", "close");
      return c.json({
        code: "RATE_LIMITED",
        message: `Too many requests: at most ${ratePerSecond}/s per client (bursts of ${
          2 * ratePerSecond
        }), as for WebSocket messages`,
      }, 429);
    }
    await next();
  };
}
