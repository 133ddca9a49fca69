/**
 * @module The per-client side of the access gate: rate limits checked before parsing, the
 * first-message `auth` by token or by username and password (its deadline, `auth_result`,
 * AUTH_FAILED + 1008), closing the sockets of a login session that ended, and PERMISSION_DENIED.
 * The bridge asks it before it dispatches anything.
 */
import type { Clock, TimerHandle } from "../../core/clock.ts";
import type { ErrorCode } from "../../protocol/errors.ts";
import type { Logger } from "../../ports/logger.ts";
import { envelope, errorMessage, freshId } from "../../protocol/envelope.ts";
import { readRequest } from "../../protocol/requests.ts";
import { firstSetKey } from "../../protocol/settings.ts";
import type { Client, ClientRegistry } from "../client-registry.ts";
import type { ClientSocket } from "../../ports/client-socket.ts";
import { AccessGate, AUTH_DEADLINE_MS } from "./gate.ts";
import type { Admission } from "./gate.ts";
import { RateLimiter } from "./rate-limit.ts";
import type { Credentials } from "../../protocol/auth-request.ts";
import type { LoginOutcome } from "./logins.ts";
import type { Principal } from "./principal.ts";
import { OPEN_ACCESS } from "./principal.ts";

/** Close code for a policy violation: a bad token, rate abuse. */
export const CLOSE_POLICY = 1008;

/** What the per-client checks need. */
export interface ClientAccessOptions {
  gate: AccessGate;
  clients: ClientRegistry;
  clock: Clock;
  log: Logger;
  /** Messages per second per client; absent = no limit. */
  rateLimit?: number;
  /** Forgets a client the checks closed (the bridge's close). */
  drop(client: Client): void;
  /** True for a command this server implements (listed in `auth_result.permissions`). */
  available(command: string): boolean;
}

/** Tells a socket why and closes it (best effort: the peer may be gone). */
export function refuse(
  socket: ClientSocket,
  code: ErrorCode,
  message: string,
  nowMs: number,
  closeCode: number,
  reason: string,
): void {
  try {
    socket.send(errorMessage(freshId(), code, message, nowMs));
    socket.close(closeCode, reason);
  } catch {
    /* the peer is already gone */
  }
}

/** What a RATE_LIMITED login refusal says there were too many of. */
const TOO_MANY = {
  locked: "failed logins for this username",
  throttled: "logins from this address",
  busy: "logins in progress",
} as const;

export class ClientAccess {
  #o: ClientAccessOptions;
  #limiters = new WeakMap<Client, RateLimiter>();
  #authTimers = new WeakMap<Client, TimerHandle>();

  /** Stops watching login sessions (the device shuts down). */
  close: () => void;

  constructor(options: ClientAccessOptions) {
    this.#o = options;
    // a logout or an expiry closes every socket that session authenticated, on every device
    const sessions = options.gate.passwords?.sessions;
    this.close = sessions?.onEnded((s, why) => this.sessionEnded(s.id, why)) ?? (() => {});
  }

  /** A client was admitted with `admission`: start its rate limit and, if it announced one, its auth deadline. */
  admitted(client: Client, admission: Admission): void {
    const o = this.#o;
    if (o.rateLimit !== undefined) {
      this.#limiters.set(client, new RateLimiter(o.rateLimit, o.clock.now));
    }
    if (admission.awaitsAuth) {
      this.#authTimers.set(
        client,
        o.clock.setTimeout(() => this.#authMissing(client), AUTH_DEADLINE_MS),
      );
    }
  }

  /** The rate limit, before any parsing so a flood costs little; false = drop the frame. */
  withinRate(client: Client): boolean {
    const verdict = this.#limiters.get(client)?.take() ?? "accept";
    if (verdict === "accept") return true;
    const o = this.#o;
    if (verdict === "drop-and-tell") {
      const text = `Too many messages: at most ${o.rateLimit}/s (bursts of ${
        2 * o.rateLimit!
      }); the excess is dropped`;
      o.clients.send(client, errorMessage(freshId(), "RATE_LIMITED", text, o.clock.now()));
    } else if (verdict === "close") {
      o.log.log("WARNING", `Client ${client.remote} closed: over 10× the rate limit for 5 s`);
      refuse(
        client.socket,
        "RATE_LIMITED",
        "Closed: more than 10× the rate limit for 5 s",
        o.clock.now(),
        CLOSE_POLICY,
        "rate limit",
      );
      o.drop(client);
    }
    return false;
  }

  /**
   * `auth {token}`: a good token upgrades the principal; a bad one ends the connection (1008).
   * `auth {username, password}` does the same after the password check, which runs off the event
   * loop: the returned promise settles when it is done (the session holds later frames till then).
   */
  auth(client: Client, id: unknown, data: unknown): Promise<void> | undefined {
    const o = this.#o;
    const request = readRequest("auth", data);
    if (!request.ok) {
      o.clients.send(client, errorMessage(id, request.code, request.message, o.clock.now()));
      return;
    }
    if ("username" in request.value) return this.#passwordAuth(client, id, request.value);
    const principal = o.gate.authenticate(request.value.token);
    if (principal === null) {
      o.log.log("WARNING", `Client ${client.remote} closed: auth with an invalid token`);
      this.#closeWith(client, id, "Authentication failed: the token is not valid");
      return;
    }
    this.#grant(client, id, principal);
  }

  /** Closes, with AUTH_FAILED, the sockets a login session authenticated once that session ends. */
  sessionEnded(sessionId: number, why: string): void {
    for (const client of this.#o.clients.clients.slice()) {
      if (client.principal.session !== sessionId) continue;
      this.#o.log.log("INFO", `Client ${client.remote} closed: the session ended (${why})`);
      this.#closeWith(
        client,
        freshId(),
        `The session ended (${why}): log in again`,
        `session ended: ${why}`,
      );
    }
  }

  /** PERMISSION_DENIED for `command`, naming it (and for `set` the first key, as §5.1 asks). */
  deny(client: Client, id: unknown, command: string, data?: unknown): void {
    const o = this.#o;
    const extra = command === "set" ? { command, key: firstSetKey(data) } : { command };
    o.clients.send(
      client,
      errorMessage(
        id,
        "PERMISSION_DENIED",
        AccessGate.deniedText(command, client.principal.role),
        o.clock.now(),
        extra,
      ),
    );
  }

  /** The client is gone (or authenticated): its auth deadline no longer applies. */
  left(client: Client): void {
    const timer = this.#authTimers.get(client);
    if (timer !== undefined) this.#o.clock.clearTimeout(timer);
    this.#authTimers.delete(client);
  }

  #authMissing(client: Client): void {
    this.#authTimers.delete(client);
    if (client.open) {
      this.#closeWith(client, freshId(), `No auth message within ${AUTH_DEADLINE_MS / 1000} s`);
    }
  }

  async #passwordAuth(client: Client, id: unknown, credentials: Credentials): Promise<void> {
    const o = this.#o;
    const passwords = o.gate.passwords;
    if (passwords === null) {
      // auth off: everyone is control already, as `auth {token}` says then
      if (!o.gate.authEnabled) return this.#grant(client, id, { ...OPEN_ACCESS });
      o.log.log("WARNING", `Client ${client.remote} closed: password auth, but no users exist`);
      return this.#closeWith(client, id, "Authentication failed: this server has no users");
    }
    let outcome: LoginOutcome;
    try {
      outcome = await passwords.logins.attempt(
        credentials.username,
        credentials.password,
        client.remote,
      );
    } catch (e) {
      o.log.log("ERROR", `Password check failed: ${e instanceof Error ? e.message : String(e)}`);
      outcome = { ok: false, why: "failed" };
    }
    if (!client.open) return;
    if (outcome.ok) {
      return this.#grant(client, id, {
        role: outcome.user.role,
        name: outcome.user.username,
        user: true,
      });
    }
    if (outcome.why === "failed") {
      return this.#closeWith(client, id, "Authentication failed: wrong username or password");
    }
    this.#closeWith(
      client,
      id,
      `Too many ${TOO_MANY[outcome.why]}: try again in ${outcome.retryAfterS} s`,
      "too many logins",
      "RATE_LIMITED",
    );
  }

  #grant(client: Client, id: unknown, principal: Principal): void {
    const o = this.#o;
    this.left(client);
    client.principal = principal;
    if (principal.name !== null) {
      o.log.log(
        "INFO",
        `Client ${client.remote} authenticated as ${principal.name} (${principal.role})`,
      );
    }
    const result = o.gate.authResult(principal, o.available);
    o.clients.send(
      client,
      envelope(
        id,
        "auth_result",
        principal.user === true ? { ...result, username: principal.name! } : result,
      ),
    );
  }

  #closeWith(
    client: Client,
    id: unknown,
    message: string,
    reason = "authentication failed",
    code: ErrorCode = "AUTH_FAILED",
  ): void {
    const o = this.#o;
    o.clients.send(client, errorMessage(id, code, message, o.clock.now()));
    client.outbox.drain();
    try {
      client.socket.close(CLOSE_POLICY, reason);
    } catch {
      /* already closed */
    }
    o.drop(client);
  }
}
