/**
 * @module The per-client side of the access gate: rate limits checked before parsing, the
 * first-message `auth` (its deadline, `auth_result`, AUTH_FAILED + 1008), and PERMISSION_DENIED.
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

export class ClientAccess {
  #o: ClientAccessOptions;
  #limiters = new WeakMap<Client, RateLimiter>();
  #authTimers = new WeakMap<Client, TimerHandle>();

  constructor(options: ClientAccessOptions) {
    this.#o = options;
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

  /** `auth {token}`: a good token upgrades the principal; a bad one ends the connection (1008). */
  auth(client: Client, id: unknown, data: unknown): void {
    const o = this.#o;
    const request = readRequest("auth", data);
    const principal = request.ok ? o.gate.authenticate(request.value.token) : null;
    if (principal === null) {
      o.log.log("WARNING", `Client ${client.remote} closed: auth with an invalid token`);
      this.#closeWith(client, id, "Authentication failed: the token is not valid");
      return;
    }
    this.left(client);
    client.principal = principal;
    if (principal.name !== null) {
      o.log.log(
        "INFO",
        `Client ${client.remote} authenticated as ${principal.name} (${principal.role})`,
      );
    }
    o.clients.send(client, envelope(id, "auth_result", o.gate.authResult(principal, o.available)));
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

  #closeWith(client: Client, id: unknown, message: string): void {
    const o = this.#o;
    o.clients.send(client, errorMessage(id, "AUTH_FAILED", message, o.clock.now()));
    client.outbox.drain();
    try {
      client.socket.close(CLOSE_POLICY, "authentication failed");
    } catch {
      /* already closed */
    }
    o.drop(client);
  }
}
