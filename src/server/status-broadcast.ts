/**
 * @module Which `status` each socket gets: base-protocol sockets (`/`, `/ws`) exactly what the
 * reference sends (docs/protocol/mw75.md §3.4, §3.6), per-device sockets (docs/protocol/bridge-api.md §6) the bridge's reported
 * state and its own announcements too.
 */
import type { Clock } from "../core/clock.ts";
import type { StatusCause, StatusState } from "../core/session-events.ts";
import type { DeviceHub } from "../hub/device-hub.ts";
import type { Subscription } from "../hub/subscribers.ts";
import { errorMessage, freshId, statusEvent } from "../protocol/envelope.ts";
import { STATUS_TEXT, statusText } from "../protocol/status-text.ts";
import type { Client, ClientRegistry } from "./client-registry.ts";

/** The state a `status` names on a socket (`deviceId` null: a base socket), or null: not sent there. */
export type StateFor = (deviceId: string | null) => StatusState | null;

/** What the session knows of its state. */
interface SessionState {
  readonly state: StatusState;
  readonly reportedState: StatusState;
}

/**
 * For statuses that are no state change (the welcome, control released): the reference sends its
 * "current state", the stored one, which is never `reconnecting`; a per-device socket gets the
 * reported state, as /health and /devices say it.
 */
export function currentState(session: SessionState): (deviceId: string | null) => StatusState {
  return (deviceId) => deviceId === null ? session.state : session.reportedState;
}

/**
 * For a session's announcement: the state it announces, except that what the reference never
 * says (the loop stopped by `auto_reconnect` off, the bridge's settings command) stays off base
 * sockets: their clients see the `settings` broadcast and the `status` reply instead.
 */
export function announced(state: StatusState, cause: StatusCause): StateFor {
  return cause.kind === "reconnect_stopped"
    ? (deviceId) => deviceId === null ? null : state
    : () => state;
}

/** `status` to every client that gets it, naming the device on per-device sockets; each variant is built once. */
export function broadcastStatus(
  clients: ClientRegistry,
  stateFor: StateFor,
  message: string,
  battery: number | null,
  nowMs: number,
): void {
  const texts = new Map<string | null, string | null>();
  for (const client of clients.clients.slice()) {
    let text = texts.get(client.deviceId);
    if (text === undefined) {
      const state = stateFor(client.deviceId);
      text = state === null ? null : statusEvent(state, message, battery, nowMs, client.deviceId);
      texts.set(client.deviceId, text);
    }
    if (text !== null) clients.send(client, text);
  }
}

/** The welcome `status` of a socket just admitted (its device's state as that socket sees it). */
export function sendWelcome(
  clients: ClientRegistry,
  client: Client,
  session: SessionState & { batteryLevel: number | null },
  nowMs: number,
): void {
  const state = currentState(session)(client.deviceId);
  const text = STATUS_TEXT.welcome;
  clients.send(client, statusEvent(state, text, session.batteryLevel, nowMs, client.deviceId));
}

/** The controller left (multi-client policy): every other client hears that control is free. */
export function announceControlReleased(
  clients: ClientRegistry,
  session: SessionState & { batteryLevel: number | null },
  nowMs: number,
): void {
  const text = STATUS_TEXT.controlReleased;
  broadcastStatus(clients, currentState(session), text, session.batteryLevel, nowMs);
}

/**
 * The device's status changes and errors to every client: a hub `state` subscriber. A `--record`
 * start the connect triggers is queued by the recordings, so its `recording` broadcast still
 * follows this status.
 */
export function broadcastDeviceState(
  device: DeviceHub,
  clients: ClientRegistry,
  battery: () => number | null,
  clock: Clock,
): Subscription {
  return device.state({
    name: "status broadcasts",
    onStatus: (state, cause) =>
      broadcastStatus(clients, announced(state, cause), statusText(cause), battery(), clock.now()),
    onError: (code, message) =>
      clients.broadcast(errorMessage(freshId(), code, message, clock.now())),
  });
}
