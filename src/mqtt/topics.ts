/** @module The MQTT topic names of one bridge (docs/protocol/bridge-api.md §7) and a topic-safe default bridge id. */

/** Every topic a bridge publishes to, under `<prefix>/<bridge_id>/`. */
export interface BridgeTopics {
  /** Retained `{"online": …}`, also the last will. */
  readonly status: string;
  /** Retained: the device's status object. */
  state(deviceId: string): string;
  /** QoS 0: one binary frame (§3) per batch. */
  eeg(deviceId: string): string;
  /** QoS 1: the `event` data JSON. */
  events(deviceId: string): string;
  /** QoS 0: the `metrics` data JSON (§2.6), once a second. */
  metrics(deviceId: string): string;
}

/** The topics of the bridge `bridgeId` under `prefix` (both already validated by the command line). */
export function bridgeTopics(prefix: string, bridgeId: string): BridgeTopics {
  const base = `${prefix}/${bridgeId}`;
  return {
    status: `${base}/status`,
    state: (id) => `${base}/${id}/state`,
    eeg: (id) => `${base}/${id}/eeg`,
    events: (id) => `${base}/${id}/events`,
    metrics: (id) => `${base}/${id}/metrics`,
  };
}

/**
 * A host name as one topic level: characters MQTT gives a meaning (`/`, `+`, `#`) and anything
 * unusual become `-`, so a strange host name cannot split or wildcard the bridge's topics.
 */
export function bridgeIdFromHost(hostName: string): string {
  const id = hostName.trim().replace(/[^A-Za-z0-9_.-]/g, "-").replace(/^[-.]+|[-.]+$/g, "");
  return id === "" ? "bridge" : id;
}
