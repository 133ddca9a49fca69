/** @module `GET /metrics` in the Prometheus text format (BRIDGE-API §8): packet, client and stream figures of the device. */
import type { Bridge } from "./bridge.ts";

type Metric = [name: string, type: "counter" | "gauge", help: string, value: number];

/** The exposition text for `bridge` (one device, labelled `device="default"`). */
export function metricsText(bridge: Bridge): string {
  const health = bridge.health() as { packets: Record<string, number>; clients: number; shed: number; battery_level: number | null; uptime: number };
  const p = health.packets;
  const metrics: Metric[] = [
    ["mw75_packets_valid_total", "counter", "Valid EEG packets decoded", p["valid"] ?? 0],
    ["mw75_packets_lost_total", "counter", "EEG packets missing by counter gaps", p["lost"] ?? 0],
    ["mw75_packets_duplicates_total", "counter", "Duplicated EEG packets dropped", p["duplicates"] ?? 0],
    ["mw75_checksum_failures_total", "counter", "63-byte windows with a bad checksum", p["checksum_failures"] ?? 0],
    ["mw75_sample_rate_hz", "gauge", "EEG packets per second over the last second", p["rate_hz"] ?? 0],
    ["mw75_clients", "gauge", "Connected WebSocket clients", health.clients],
    ["mw75_shed_messages_total", "counter", "Stream messages shed for slow clients", health.shed],
    ["mw75_uptime_seconds", "gauge", "Seconds since the bridge started", health.uptime],
  ];
  if (health.battery_level !== null) metrics.push(["mw75_battery_percent", "gauge", "Headset battery level", health.battery_level]);
  const state = bridge.session.state;
  let out = "";
  for (const [name, type, help, value] of metrics) {
    out += `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name}{device="default"} ${value}\n`;
  }
  out += `# HELP mw75_device_connected 1 while the device streams\n# TYPE mw75_device_connected gauge\nmw75_device_connected{device="default",state="${state}"} ${state === "connected" ? 1 : 0}\n`;
  return out;
}
