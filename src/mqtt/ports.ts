/**
 * @module What the MQTT publisher needs of the program, and nothing more: the devices (identity and a
 * state snapshot), notice of devices added or removed, and per device four subscriptions — binary
 * `eeg_batch` frames, status changes, device events, the `metrics` stream. The program (src/app/mqtt-wiring.ts) makes its
 * devices fit these shapes; the publisher never sees the server, the bridge or the hub's classes.
 * Types only.
 */
import type { DeviceEvent } from "../core/device-events.ts";
import type { StatusCause, StatusState } from "../core/session-events.ts";
import type { BatchOptions } from "../protocol/subscriptions.ts";
import type { MetricsOptions } from "../protocol/metrics.ts";

/** One attachment of the publisher to the program; `close()` ends it and may be called more than once. */
export interface MqttSubscription {
  close(): void;
}

/** Who a device is, as the retained online status lists it. */
export interface MqttDeviceIdentity {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  /** The Bluetooth address (a simulated one for simulated headsets), or null when not known. */
  readonly address: string | null;
  /** True when its data is synthetic (simulator, replay). */
  readonly synthetic: boolean;
}

/** What a device's retained `state` topic starts from, and the battery level each status carries. */
export interface MqttDeviceSnapshot {
  readonly state: StatusState;
  readonly batteryLevel: number | null;
}

/** One device of the program, as the publisher subscribes to it. */
export interface MqttDevice {
  readonly identity: MqttDeviceIdentity;
  /** The device's state and battery level now. */
  snapshot(): MqttDeviceSnapshot;
  /**
   * Every `eeg_batch` of `options` (always `format: "binary"`), as the binary frame a WebSocket
   * subscriber of the same options gets, with the number of samples it holds. Called on the
   * stream's turn: the callback only queues, it never waits. The publisher sheds (its own bounded
   * queue drops and counts): this subscription must never slow the device.
   */
  batches(
    options: Readonly<BatchOptions>,
    onFrame: (frame: Uint8Array, samples: number) => void,
  ): MqttSubscription;
  /** Every status change (the state the wire reports, and why). */
  state(onStatus: (state: StatusState, cause: StatusCause) => void): MqttSubscription;
  /** Every device event (battery, lead-off, markers, recording states…). */
  events(onEvent: (event: DeviceEvent) => void): MqttSubscription;
  /**
   * Every window of the `metrics` stream of `options`, as its data JSON (no `device_id`): the
   * computation WebSocket subscribers of the same options share. Shed like `batches`.
   */
  metrics(options: Readonly<MetricsOptions>, onMetrics: (json: string) => void): MqttSubscription;
}

/** Notices of the program's device list changing. */
export interface MqttDeviceWatcher {
  added(device: MqttDevice): void;
  /** The device `id` is gone from the program: its feed stops and its retained state is emptied. */
  removed(id: string): void;
}

/** The program's devices. */
export interface MqttDevices {
  /** The devices there are now, the default one first. */
  list(): readonly MqttDevice[];
  /** Tells `watcher` of every device added or removed from now on. */
  watch(watcher: MqttDeviceWatcher): MqttSubscription;
}

/** The parsed MQTT options of `serve` (the command line's `--mqtt*` and `--bridge-id`), broker given. */
export interface MqttSettings {
  readonly url: string;
  readonly username: string | null;
  /** Never logged, never in /health. */
  readonly password: string | null;
  /** The first topic level(s), already validated. */
  readonly prefix: string;
  /** null = the host name, resolved at start-up. */
  readonly bridgeId: string | null;
}

export type { MqttCounts, MqttHealth } from "../protocol/health.ts";
