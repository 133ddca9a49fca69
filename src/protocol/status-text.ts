/** @module The fixed status texts of docs/protocol/mw75.md §3.4 (verbatim: clients may match on them) and the text for each session cause. */
import type { StatusCause } from "../core/session-events.ts";

export const STATUS_TEXT = {
  welcome: "Client connected to MW75 server",
  connecting: "Connecting to MW75 device...",
  connected: "Successfully connected to MW75 device, streaming EEG data",
  disconnecting: "Disconnecting from MW75 device...",
  idle: "Disconnected from MW75 device",
  noDevice: "No active device connection",
  disconnected: "Device connection closed",
  controlReleased: "Device control released - available for new controller",
  shutdown: "Server shutting down",
  removed: "Device removed",
} as const;

/** The `message` of the status event announcing `cause`; a bridge-made disconnect adds its reason (never on the base protocol's own). */
export function statusText(cause: StatusCause): string {
  const text = causeText(cause);
  return "reason" in cause && cause.reason !== undefined ? `${text} (${cause.reason})` : text;
}

function causeText(cause: StatusCause): string {
  switch (cause.kind) {
    case "connecting":
      return STATUS_TEXT.connecting;
    case "connected":
      return STATUS_TEXT.connected;
    case "reconnected":
      return `Auto-reconnect successful after ${cause.attempts} attempts`;
    case "disconnecting":
      return STATUS_TEXT.disconnecting;
    case "idle":
      return STATUS_TEXT.idle;
    case "no_device":
      return STATUS_TEXT.noDevice;
    case "link_lost":
      return STATUS_TEXT.disconnected;
    case "failed":
      return cause.message;
    case "reconnecting":
      // the reference prints the delay in seconds with Python's float formatting: 1 → "1s", 0.05 → "0.05s"
      return `Auto-reconnect attempt ${cause.attempt}/${cause.of} in ${cause.delayMs / 1000}s...`;
    case "reconnect_stopped":
      // bridge-only (the settings command): the reference never stops a loop without a disconnect
      return "Auto-reconnect stopped";
  }
}
