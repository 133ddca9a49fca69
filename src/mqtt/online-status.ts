/**
 * @module The retained `<prefix>/<bridge_id>/status` payload (docs/protocol/bridge-api.md §7): online with the
 * bridge's facts, its devices and the shape of its `eeg` frames; offline (also the last will) with
 * its id only.
 */
import { MQTT_BATCH_OPTIONS } from "./device-feed.ts";
import type { MqttDeviceIdentity } from "./ports.ts";

/** The online status's facts besides `online`, `bridge_id` and `devices`. */
export type PublisherInfo = {
  version: string;
  runtime: string;
  /** Seconds since the epoch. */
  started_at: number;
  /** `<prefix>/<bridge_id>`. */
  topic_prefix: string;
};

/** A device as the online status lists it. */
export type StatusDevice = {
  device_id: string;
  name: string;
  kind: string;
  address: string | null;
  synthetic: boolean;
};

/** A device's entry in the online status. */
export function statusDevice(identity: MqttDeviceIdentity): StatusDevice {
  const { id, name, kind, address, synthetic } = identity;
  return { device_id: id, name, kind, address, synthetic };
}

/** The status while connected: what consumers need to find the devices and read their frames. */
export function onlineStatus(
  bridgeId: string,
  info: PublisherInfo,
  devices: readonly StatusDevice[],
): string {
  const o = MQTT_BATCH_OPTIONS;
  const frame = {
    num_samples: o.num_samples,
    interval_ms: o.interval_ms,
    channels: o.channels.length,
    ref_drl: o.ref_drl,
  };
  return JSON.stringify({
    online: true,
    bridge_id: bridgeId,
    ...info,
    devices,
    eeg_frame: frame,
  });
}

/** The status after a clean close, and the last will the broker publishes for a vanished bridge. */
export function offlineStatus(bridgeId: string): string {
  return JSON.stringify({ online: false, bridge_id: bridgeId });
}
