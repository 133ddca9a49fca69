/**
 * @module The control decisions of MW75.md §3.3/§3.7 as pure functions of (what the client and
 * device look like, the command): who may connect or disconnect, in which order the checks run,
 * and what the acknowledgement says. The server executes the decision.
 */
import type { ErrorCode } from "./errors.ts";
import type { LogLevel } from "../core/ports.ts";
import type { DeviceState } from "../core/session-events.ts";
import { autoReconnectProblem, parseLogLevel, readConnect } from "./inbound.ts";

/** What the decisions look at. */
export interface ControlView {
  /** Another client holds control. */
  readonly controlTakenByOther: boolean;
  readonly deviceState: DeviceState;
}

/** A refusal, sent to the requester only (its id echoed). */
export interface Refusal {
  readonly ok: false;
  readonly code: ErrorCode;
  readonly message: string;
}

/** connect accepted: take control, forward logs at `level`, acknowledge with `ack`, start the device. */
export interface ConnectGo {
  readonly ok: true;
  readonly autoReconnect: boolean;
  readonly level: LogLevel;
  readonly ack: Record<string, unknown>;
}

const CONTROL_TAKEN: Refusal = {
  ok: false,
  code: "DEVICE_CONTROL_TAKEN",
  message: "Another client controls the device",
};

/**
 * §3.3 connect: control → already connected → data → auto_reconnect → level. Throws a TypeError
 * for a non-object `data` (reported as MESSAGE_PROCESSING_ERROR, as the reference does).
 */
export function decideConnect(view: ControlView, data: unknown): ConnectGo | Refusal {
  if (view.controlTakenByOther) return CONTROL_TAKEN;
  if (view.deviceState === "connected" || view.deviceState === "connecting") {
    return {
      ok: false,
      code: "ALREADY_CONNECTED",
      message: view.deviceState === "connected" ? "Already connected" : "Already connecting",
    };
  }
  const request = readConnect(data);
  if (request.autoReconnect === null) {
    return {
      ok: false,
      code: "INVALID_PARAMETERS",
      message: autoReconnectProblem(request.autoReconnectGiven),
    };
  }
  const level = parseLogLevel(request.logLevelGiven);
  if (level === null) {
    return {
      ok: false,
      code: "INVALID_LOG_LEVEL",
      message: `Invalid log level: ${
        JSON.stringify(request.logLevelGiven)
      }. Must be one of DEBUG, INFO, WARNING, ERROR`,
    };
  }
  return {
    ok: true,
    autoReconnect: request.autoReconnect,
    level,
    ack: {
      command: "connect",
      auto_reconnect: request.autoReconnectGiven,
      log_level: level,
      message: "Connecting to MW75 device",
    },
  };
}

/** §3.3 disconnect: only the controller, or anyone while nobody holds control. Never releases control. */
export function decideDisconnect(
  view: ControlView,
): { ok: true; ack: Record<string, unknown> } | Refusal {
  if (view.controlTakenByOther) return CONTROL_TAKEN;
  return { ok: true, ack: { command: "disconnect", message: "Disconnect requested" } };
}
