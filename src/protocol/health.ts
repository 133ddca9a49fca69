/** @module The `/health` figures the bridge reports from its MQTT publisher (docs/protocol/bridge-api.md §7): one type shared by the publisher and the server. */

/**
 * `/health` `mqtt` as the publisher counts it: messages (frames, events, states), and the EEG
 * samples in frames, each in exactly one of `confirmed_samples`, `pending_samples` and
 * `dropped_samples`. (A type, not an interface: the server reads it as a plain record.)
 */
export type MqttCounts = {
  connected: boolean;
  published: number;
  dropped: number;
  dropped_samples: number;
  queued: number;
  confirmed_samples: number;
  pending_samples: number;
};

/** `/health` `mqtt`: the counts, and where the bridge publishes (the URL without credentials). */
export type MqttHealth = MqttCounts & {
  broker: string;
  bridge_id: string;
  topic_prefix: string;
};

/** One LSL outlet in `/health` `lsl.outlets` (docs/protocol/bridge-api.md §10). */
export type LslOutletHealth = {
  device_id: string;
  name: string;
  type: string;
  source_id: string;
  uid: string;
  consumers: number;
  samples_pushed: number;
  dropped: number;
};

/** One marker stream the inlet reads, in `/health` `lsl.inlets`. */
export type LslInletHealth = {
  name: string;
  hostname: string;
  source_id: string;
  connected: boolean;
  markers: number;
  /** Markers no device took (empty label, a time outside the `marker` window, …). */
  rejected: number;
  time_correction_ms: number | null;
};

/**
 * `/health` `lsl`: null without `--lsl`/`--lsl-markers`; `discovery` counts what the responder saw
 * and `sessions` the data ports' TCP requests (both null without outlets).
 */
export type LslHealth = {
  scope: string;
  session_id: string;
  outlets: LslOutletHealth[];
  inlets: LslInletHealth[];
  discovery: {
    queries: number;
    replies: number;
    malformed: number;
    unsupported: number;
    send_failures: number;
  } | null;
  sessions: {
    sessions: number;
    refused: number;
    oversize: number;
    timed_out: number;
    malformed: number;
  } | null;
};

/**
 * The BlueZ adapter as `bluetooth_status` events and `/health` `bluetooth` report it
 * (docs/protocol/bridge-api.md §11); `/health` says null on a bridge with no real headset source.
 */
export type BluetoothStatus = {
  present: boolean;
  powered: boolean;
  discovering: boolean;
};

/** One `--ws-push` target in `/health` `ws_push` (§11): the URL without credentials. */
export type WsPushHealth = {
  url: string;
  device_id: string;
  connected: boolean;
  sent: number;
  dropped: number;
  /** Of `sent`, those maybe still in the socket's buffer when a connection was lost (docs/push-mode.md). */
  unflushed: number;
};
