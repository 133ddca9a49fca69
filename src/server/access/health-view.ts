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
  "password_login",
  // the adapter's present/powered/discovering: whether Bluetooth works at all is liveness too
  "bluetooth",
];

/** A /health body: JSON fields by name (server/health.ts builds it). */
type HealthBody = { readonly [field: string]: unknown };

/** The /health body `authorization` may see. */
export function healthFor(
  gate: AccessGate,
  authorization: string | undefined,
  body: HealthBody,
): HealthBody {
  if (!gate.authEnabled || hasValidToken(gate, authorization)) return body;
  const view = Object.fromEntries(
    ANONYMOUS_HEALTH_FIELDS.filter((key) => key in body).map((key) => [key, body[key]]),
  );
  // whether the broker is reachable is liveness; its URL, bridge id and topics are not
  const mqtt = body["mqtt"];
  if (mqtt === null) view["mqtt"] = null;
  else if (typeof mqtt === "object" && mqtt !== undefined) {
    view["mqtt"] = { connected: "connected" in mqtt ? mqtt.connected : undefined };
  }
  return view;
}
