/**
 * @module The bridge's settings (docs/protocol/bridge-api.md §5.1) read from and written to the parts that own them:
 * `auto_reconnect` is the session's flag, `log_level` the log forwarder's level, `heartbeat_s` the
 * client registry's period, `notch_hz` the batch streams' notch; `subject` and `session_label` are only stored.
 */
import type { Device } from "../core/device.ts";
import type { SettingsWrite, SettingValues } from "../protocol/settings.ts";
import type { ClientRegistry } from "./client-registry.ts";
import type { LogForwarder } from "./log-forwarding.ts";
import type { StreamRouter } from "./streams/router.ts";

/** The settings nothing acts on yet: recordings will put them in their headers. */
export interface StoredLabels {
  subject: string;
  session_label: string;
}

/** The parts of a bridge the settings live in (a DispatchContext is one). */
export interface SettingsHost {
  readonly device: Device;
  readonly clients: ClientRegistry;
  readonly logs: LogForwarder;
  readonly router: StreamRouter;
  readonly labels: StoredLabels;
}

/** Every setting's current value. */
export function readSettings(host: SettingsHost): SettingValues {
  const stored = host.labels;
  return {
    auto_reconnect: host.device.session.autoReconnect,
    // forwarding is off until a connect or set chooses a level; ERROR is what the status reply says then
    log_level: host.logs.level ?? "ERROR",
    subject: stored.subject,
    session_label: stored.session_label,
    // rounded: tests start the server with sub-second periods (--heartbeat-ms)
    heartbeat_s: Math.round(host.clients.heartbeatMs / 1000),
    notch_hz: host.router.notchHz,
  };
}

/**
 * Applies a validated `set`. Each value has the effect the matching command has: auto_reconnect
 * off stops a running reconnect loop (as disconnect does), log_level switches forwarding on at that
 * level (as connect does). The heartbeat and the notch restart only when their value changes.
 */
export function applySettings(host: SettingsHost, write: SettingsWrite): void {
  const v = write.values;
  if (v.auto_reconnect !== undefined) host.device.session.setAutoReconnect(v.auto_reconnect);
  if (v.log_level !== undefined) host.logs.level = v.log_level;
  if (v.heartbeat_s !== undefined && v.heartbeat_s * 1000 !== host.clients.heartbeatMs) {
    host.clients.setHeartbeatMs(v.heartbeat_s * 1000);
  }
  if (v.notch_hz !== undefined && v.notch_hz !== host.router.notchHz) {
    host.router.setNotch(v.notch_hz);
  }
  const stored = host.labels;
  if (v.subject !== undefined) stored.subject = v.subject;
  if (v.session_label !== undefined) stored.session_label = v.session_label;
}
