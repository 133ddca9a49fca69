/**
 * @module The control decisions of docs/protocol/mw75.md §3.3/§3.7 as pure functions of (what the client and
 * device look like, the command): who may connect or disconnect, in which order the checks run,
 * and what the acknowledgement says. The server executes the decision.
 */
import type { LogLevel } from "../ports/logger.ts";
import type { DeviceState } from "../core/session-events.ts";
import { autoReconnectProblem, parseLogLevel } from "./inbound.ts";
import type { ConnectRequest } from "./inbound.ts";
import type { ConnectAck, DisconnectAck } from "./messages.ts";
import * as v from "valibot";
import { accept, invalid, refuse, shown } from "./result.ts";
import type { Checked, Refused } from "./result.ts";

/** What the decisions look at. */
export interface ControlView {
  /** Another client holds control. */
  readonly controlTakenByOther: boolean;
  readonly deviceState: DeviceState;
}

/** connect accepted: take control, forward logs at `level`, acknowledge with `ack`, start the device. */
export interface ConnectGo {
  readonly autoReconnect: boolean;
  readonly level: LogLevel;
  /** `duration_s` (docs/protocol/bridge-api.md §11): disconnect after this many seconds; null: stream until told. */
  readonly durationS: number | null;
  /** Without `until`: the caller adds it when `durationS` is set. */
  readonly ack: ConnectAck;
}

/** The longest `connect` `duration_s`: a day. */
export const CONNECT_MAX_DURATION_S = 86_400;
const DurationSchema = v.pipe(
  v.number(),
  v.finite(),
  v.minValue(1),
  v.maxValue(CONNECT_MAX_DURATION_S),
);

const CONTROL_TAKEN: Refused = refuse(
  "DEVICE_CONTROL_TAKEN",
  "Another client controls the device",
);

/**
 * §3.3 connect: control → already connected → data → auto_reconnect → level. `request` is the
 * read `data`, a MESSAGE_PROCESSING_ERROR when it was no object (as the reference answers).
 */
export function decideConnect(
  view: ControlView,
  request: Checked<ConnectRequest>,
): Checked<ConnectGo> {
  if (view.controlTakenByOther) return CONTROL_TAKEN;
  if (view.deviceState === "connected" || view.deviceState === "connecting") {
    return refuse(
      "ALREADY_CONNECTED",
      view.deviceState === "connected" ? "Already connected" : "Already connecting",
    );
  }
  if (!request.ok) return request;
  const { autoReconnect, autoReconnectGiven, logLevelGiven } = request.value;
  if (autoReconnect === null) {
    return refuse("INVALID_PARAMETERS", autoReconnectProblem(autoReconnectGiven));
  }
  const level = parseLogLevel(logLevelGiven);
  if (level === null) {
    return refuse(
      "INVALID_LOG_LEVEL",
      `Invalid log level: ${
        JSON.stringify(logLevelGiven)
      }. Must be one of DEBUG, INFO, WARNING, ERROR`,
    );
  }
  const durationS = request.value.durationGiven ?? null;
  if (durationS !== null && !v.is(DurationSchema, durationS)) {
    return invalid(
      `Invalid duration_s: must be a number of seconds between 1 and ${CONNECT_MAX_DURATION_S}, got ${
        shown(durationS, 40)
      }`,
    );
  }
  return accept({
    autoReconnect,
    level,
    durationS,
    ack: {
      command: "connect",
      auto_reconnect: autoReconnectGiven,
      log_level: level,
      message: "Connecting to MW75 device",
    },
  });
}

/** §3.3 disconnect: only the controller, or anyone while nobody holds control. Never releases control. */
export function decideDisconnect(view: ControlView): Checked<DisconnectAck> {
  if (view.controlTakenByOther) return CONTROL_TAKEN;
  return accept({ command: "disconnect", message: "Disconnect requested" });
}
