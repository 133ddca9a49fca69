/**
 * @module Whether a new socket of a device gets in (docs/protocol/mw75.md §3.7): a bad token is refused
 * (AUTH_FAILED), a full server too (CLIENT_ALREADY_CONNECTED) unless a client with a token may take
 * the place of an anonymous one. A refused socket is told why and closed.
 */
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../ports/logger.ts";
import { CLOSE_POLICY, refuse } from "./access/client-access.ts";
import type { AccessGate, Admission } from "./access/gate.ts";
import { CLOSE_TRY_AGAIN } from "./client-registry.ts";
import type { Client, ClientRegistry } from "./client-registry.ts";
import type { ClientSocket } from "../ports/client-socket.ts";

/** What admission looks at. */
export interface AdmissionRules {
  gate: AccessGate;
  clients: ClientRegistry;
  clock: Clock;
  log: Logger;
  maxClients: number;
  /** Closes a client that gave its place (as a socket close would). */
  close(client: Client): void;
}

/** True when `socket` may be registered; otherwise it was refused and closed. */
export function admits(
  r: AdmissionRules,
  socket: ClientSocket,
  remote: string,
  admission: Admission,
): boolean {
  if (admission.failed) {
    refuse(
      socket,
      "AUTH_FAILED",
      "Authentication failed: the token is not valid",
      r.clock.now(),
      CLOSE_POLICY,
      "authentication failed",
    );
    r.log.log("WARNING", `Rejected client ${remote}: invalid token`);
    return false;
  }
  if (r.clients.isFull && !makeRoomFor(r, admission)) {
    const message = r.maxClients > 1
      ? `Server already has the maximum of ${r.maxClients} connected clients`
      : "Server already has a connected client";
    refuse(
      socket,
      "CLIENT_ALREADY_CONNECTED",
      message,
      r.clock.now(),
      CLOSE_TRY_AGAIN,
      "server full",
    );
    r.log.log("WARNING", `Rejected client ${remote}: ${message}`);
    return false;
  }
  return true;
}

/**
 * With tokens required, anonymous clients must not be able to lock out the token holders: a
 * client with a token takes the place of the longest-connected anonymous one when the server is
 * full. True when a place was freed.
 */
function makeRoomFor(r: AdmissionRules, admission: Admission): boolean {
  if (!r.gate.authEnabled || admission.principal.role === "anonymous") return false;
  const victim = r.clients.clients.find((c) => c.principal.role === "anonymous");
  if (victim === undefined) return false;
  const text = "Server full: this anonymous connection gave its place to a client with a token";
  refuse(
    victim.socket,
    "CLIENT_ALREADY_CONNECTED",
    text,
    r.clock.now(),
    CLOSE_TRY_AGAIN,
    "server full",
  );
  r.log.log(
    "INFO",
    `Client ${victim.remote} (anonymous) closed to admit a client with a token`,
  );
  r.close(victim);
  return true;
}
