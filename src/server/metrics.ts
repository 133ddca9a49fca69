/** @module `GET /metrics` in the Prometheus text format (docs/protocol/bridge-api.md §8): packet, client and stream figures per device. */
import type { MqttHealth } from "../protocol/health.ts";
import { mqttMetricsText } from "./mqtt-metrics.ts";
import type { HealthSource } from "./health.ts";

type Metric = [
  name: string,
  type: "counter" | "gauge",
  help: string,
  value: (h: Health) => number | null,
];
type Health = {
  packets: Record<string, number>;
  clients: number;
  shed: number;
  battery_level: number | null;
  uptime: number;
  device_state: string;
};

const METRICS: Metric[] = [
  [
    "mw75_packets_valid_total",
    "counter",
    "Valid EEG packets decoded",
    (h) => h.packets["valid"] ?? 0,
  ],
  [
    "mw75_packets_lost_total",
    "counter",
    "EEG packets missing by counter gaps",
    (h) => h.packets["lost"] ?? 0,
  ],
  [
    "mw75_packets_duplicates_total",
    "counter",
    "Duplicated EEG packets dropped",
    (h) => h.packets["duplicates"] ?? 0,
  ],
  [
    "mw75_checksum_failures_total",
    "counter",
    "63-byte windows with a bad checksum",
    (h) => h.packets["checksum_failures"] ?? 0,
  ],
  [
    "mw75_sample_rate_hz",
    "gauge",
    "EEG packets per second over the last second",
    (h) => h.packets["rate_hz"] ?? 0,
  ],
  ["mw75_clients", "gauge", "Connected WebSocket clients", (h) => h.clients],
  ["mw75_shed_messages_total", "counter", "Stream messages shed for slow clients", (h) => h.shed],
  ["mw75_battery_percent", "gauge", "Headset battery level", (h) => h.battery_level],
];

/** The exposition text: one sample per device for each metric, labelled `device="<device_id>"`. */
export function metricsText(
  bridge: { list(): HealthSource[]; mqttHealth?(): MqttHealth | null },
): string {
  const devices = bridge.list().map((b) => ({
    id: b.identity.id,
    h: b.health() as unknown as Health,
  }));
  let out = "";
  for (const [name, type, help, value] of METRICS) {
    const lines = devices.flatMap(({ id, h }) => {
      const v = value(h);
      return v === null ? [] : [`${name}{device="${id}"} ${v}\n`];
    });
    if (lines.length > 0) {
      out += `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${lines.join("")}`;
    }
  }
  out +=
    "# HELP mw75_device_connected 1 while the device streams\n# TYPE mw75_device_connected gauge\n";
  for (const { id, h } of devices) {
    out += `mw75_device_connected{device="${id}",state="${h.device_state}"} ${
      h.device_state === "connected" ? 1 : 0
    }\n`;
  }
  const uptime = devices[0]?.h.uptime ?? 0;
  out +=
    `# HELP mw75_uptime_seconds Seconds since the bridge started\n# TYPE mw75_uptime_seconds gauge\nmw75_uptime_seconds ${uptime}\n`;
  out += mqttMetricsText(bridge.mqttHealth?.() ?? null);
  return out;
}
