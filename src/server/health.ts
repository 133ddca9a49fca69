/** @module The `GET /health` body: runtime, uptime, source, device state, clients and packet figures (no secrets). */
import type { DeviceEntry } from "../protocol/messages.ts";
import type { BluetoothStatus, LslHealth, MqttHealth, WsPushHealth } from "../protocol/health.ts";
import type { Device } from "../core/device.ts";
import type { DeviceSource } from "../ports/device-source.ts";
import { VERSION } from "../protocol/version.ts";
import type { ClientRegistry } from "./client-registry.ts";

/** What the body is made of. */
export interface HealthInput {
  runtime: string;
  startedAtMs: number;
  nowMs: number;
  source: DeviceSource;
  device: Device;
  clients: ClientRegistry;
  maxClients: number;
}

export function healthBody(h: HealthInput): Record<string, unknown> {
  const session = h.device.session;
  return {
    status: "ok",
    version: VERSION,
    runtime: h.runtime,
    uptime: Math.round((h.nowMs - h.startedAtMs) / 100) / 10,
    source: h.source.kind,
    source_description: h.source.description,
    synthetic: h.source.synthetic,
    // bridge-only, so it may say `reconnecting` during an auto-reconnect wait, as the broadcasts do
    device_state: session.reportedState,
    auto_reconnect: session.autoReconnect,
    battery_level: session.batteryLevel,
    clients: h.clients.size,
    max_clients: h.maxClients,
    packets: session.figures(),
    shed: h.clients.totalShed,
  };
}

/** What /health and /metrics read of each device. */
export interface HealthSource {
  readonly identity: { readonly id: string; readonly kind: string };
  health(): Record<string, unknown>;
  describe(): DeviceEntry;
  /** The metrics computations running (one per option set), with their subscriber counts. */
  metricsHealth(): ReadonlyArray<{ interval_ms: number; window_s: number; subscribers: number }>;
}

/** What /health reads of the bridge: its devices and, with --mqtt, the publisher's figures. */
export interface HealthBridge {
  default: HealthSource;
  list(): HealthSource[];
  mqttHealth?(): MqttHealth | null;
  lslHealth?(): LslHealth | null;
  bluetoothHealth?(): BluetoothStatus | null;
  wsPushHealth?(): WsPushHealth[] | null;
}

/**
 * The /health body: the default device's figures as before, plus `devices` with every device's own
 * and `mqtt` (`{connected, published, dropped, …}`, or null when the bridge publishes to no broker),
 * `lsl`, and `bluetooth` (the adapter's `{present, powered, discovering}`, or null: no real headsets).
 */
export function bridgeHealth(bridge: HealthBridge): Record<string, unknown> {
  const devices = bridge.list().map((b) => {
    const h = b.health();
    const d = b.describe();
    return {
      device_id: b.identity.id,
      kind: b.identity.kind,
      state: h["device_state"],
      auto_reconnect: h["auto_reconnect"],
      battery_level: h["battery_level"],
      clients: h["clients"],
      packets: h["packets"],
      shed: h["shed"],
      recording: d["recording"],
      metrics: b.metricsHealth(),
    };
  });
  return {
    ...bridge.default.health(),
    devices,
    mqtt: bridge.mqttHealth?.() ?? null,
    lsl: bridge.lslHealth?.() ?? null,
    bluetooth: bridge.bluetoothHealth?.() ?? null,
    ws_push: bridge.wsPushHealth?.() ?? null,
  };
}
