/** @module The `mw75_mqtt_*` lines of `GET /metrics`: the MQTT publisher's `/health` figures (a plain record, so server/ needs nothing of mqtt/) in the Prometheus text format. */
import type { MqttHealth } from "../protocol/health.ts";

const LINES: Array<
  [name: string, type: "counter" | "gauge", help: string, field: keyof MqttHealth]
> = [
  [
    "mw75_mqtt_connected",
    "gauge",
    "1 while connected to the MQTT broker (a ping unanswered for 3 s counts as gone)",
    "connected",
  ],
  [
    "mw75_mqtt_published_total",
    "counter",
    "MQTT messages handed to the broker connection",
    "published",
  ],
  [
    "mw75_mqtt_dropped_total",
    "counter",
    "MQTT messages given up (queue bound), never confirmed",
    "dropped",
  ],
  [
    "mw75_mqtt_confirmed_samples_total",
    "counter",
    "EEG samples in frames the broker confirmed",
    "confirmed_samples",
  ],
  [
    "mw75_mqtt_dropped_samples_total",
    "counter",
    "EEG samples in frames given up",
    "dropped_samples",
  ],
  [
    "mw75_mqtt_pending_samples",
    "gauge",
    "EEG samples queued or awaiting the broker's confirmation",
    "pending_samples",
  ],
];

/** The exposition lines for `mqtt` (the `/health` object), or nothing when the bridge publishes to no broker. */
export function mqttMetricsText(mqtt: MqttHealth | null): string {
  if (mqtt === null) return "";
  let out = "";
  for (const [name, type, help, field] of LINES) {
    const v = mqtt[field];
    const value = typeof v === "boolean" ? Number(v) : typeof v === "number" ? v : null;
    if (value !== null) out += `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}\n`;
  }
  return out;
}
