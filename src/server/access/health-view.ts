/** @module What `GET /health` shows to whom (docs/security.md): liveness only to a caller without a valid token when auth is on, everything otherwise. */
import type { AccessGate } from "./gate.ts";
import { hasValidToken } from "./http-guards.ts";

/**
 * Top-level fields an anonymous caller keeps: enough for a load balancer or a monitor to tell that
 * the bridge and its default device are alive and streaming, nothing that names a device, a
 * person's session, a file or a broker (those need the token `/devices` already asks for).
 */
export const ANONYMOUS_HEALTH_FIELDS: readonly string[] = [
  "status",
  "version",
  "runtime",
  "uptime",
  "source",
  "synthetic",
  "device_state",
  "auto_reconnect",
  "battery_level",
  "clients",
  "max_clients",
  "packets",
  "shed",
  "auth_required",
];

/** The /health body `authorization` may see. */
export function healthFor(
  gate: AccessGate,
  authorization: string | undefined,
  body: Record<string, unknown>,
): Record<string, unknown> {
  if (!gate.authEnabled || hasValidToken(gate, authorization)) return body;
  const view: Record<string, unknown> = {};
  for (const key of ANONYMOUS_HEALTH_FIELDS) if (key in body) view[key] = body[key];
  // whether the broker is reachable is liveness; its URL, bridge id and topics are not
  const mqtt = body["mqtt"] as Record<string, unknown> | null | undefined;
  if (mqtt !== undefined) view["mqtt"] = mqtt === null ? null : { connected: mqtt["connected"] };
  return view;
}
