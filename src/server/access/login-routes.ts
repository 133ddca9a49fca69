/**
 * @module `POST /login` and `POST /logout` (docs/protocol/bridge-api.md §5.2). A login answers
 * `{token, role, expires_at}`; an unknown user and a wrong password get the same 401 after the same
 * work; a locked username or an address over its login budget gets 429 with Retry-After. A logout
 * revokes a session token at once (its sockets close 1008); a static or unknown token is a 401.
 */
import type { Context, Hono, MiddlewareHandler } from "hono";
import { parseCredentials } from "../../protocol/auth-request.ts";
import { bearerToken } from "./gate.ts";
import type { AccessGate } from "./gate.ts";
import { bodyGuard } from "./http-guards.ts";
import type { LoginOutcome } from "./logins.ts";

/** A login body is two short strings: 4 KiB is plenty (a larger one is a 413, as on every route). */
const MAX_LOGIN_BYTES = 4096;

const FAILED = { code: "AUTH_FAILED", message: "Wrong username or password" } as const;

const LIMITED = {
  locked: "Too many failed logins for this username: wait a minute",
  throttled: "Too many logins from this address: try again in",
  busy: "Too many logins in progress: try again in a second",
} as const;

/** What the routes need besides the gate. */
export interface LoginRouteOptions {
  gate: AccessGate;
  /** `ip:port` of the caller, for the log. */
  remoteOf(c: Context): string;
  /** Guards that run before the body is read (Origin check, per-client rate limit). */
  before: MiddlewareHandler[];
}

/** Adds the two routes to `app`. */
export function addLoginRoutes(app: Hono, o: LoginRouteOptions): void {
  const { gate } = o;
  for (const path of ["/login", "/logout"]) for (const guard of o.before) app.post(path, guard);
  app.post("/login", bodyGuard(MAX_LOGIN_BYTES), async (c) => {
    c.header("Cache-Control", "no-store");
    const passwords = gate.passwords;
    if (passwords === null) {
      return c.json({
        code: "NOT_FOUND",
        message: "This server has no password logins (its --auth file lists no users)",
      }, 404);
    }
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      return c.json({
        code: "INVALID_JSON",
        message: 'The body must be JSON: {"username": "…", "password": "…"}',
      }, 400);
    }
    const credentials = parseCredentials(body);
    if (!credentials.ok) {
      return c.json({ code: credentials.code, message: credentials.message }, 400);
    }
    let outcome: LoginOutcome;
    try {
      const { username, password } = credentials.value;
      outcome = await passwords.logins.attempt(username, password, o.remoteOf(c));
    } catch {
      outcome = { ok: false, why: "failed" };
    }
    if (outcome.ok) {
      const { token, session } = passwords.sessions.create(outcome.user);
      return c.json({
        token,
        role: session.role,
        expires_at: Math.floor(session.expiresAtMs / 1000),
      });
    }
    if (outcome.why === "failed") return c.json(FAILED, 401);
    c.header("Retry-After", String(outcome.retryAfterS));
    return c.json({
      code: "RATE_LIMITED",
      // the throttle's wait varies: its sentence names it, as the socket's RATE_LIMITED does
      message: outcome.why === "throttled"
        ? `${LIMITED.throttled} ${outcome.retryAfterS} s`
        : LIMITED[outcome.why],
    }, 429);
  });

  app.post("/logout", (c) => {
    const token = bearerToken(c.req.header("authorization"));
    const session = token === undefined ? null : gate.passwords?.sessions.revoke(token) ?? null;
    if (session === null) {
      c.header("WWW-Authenticate", 'Bearer realm="mw75"');
      return c.json({
        code: "AUTH_FAILED",
        message:
          "Logout needs a live session token from POST /login: Authorization: Bearer <token>",
      }, 401);
    }
    return c.body(null, 204);
  });
}
