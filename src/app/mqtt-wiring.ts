/**
 * @module The glue between the program's devices and the MQTT publisher: makes the bridge and each
 * served device fit the publisher's ports (src/mqtt/ports.ts), so src/mqtt knows nothing of the
 * server. Imported by app/serve.ts only when `--mqtt` is given (it loads mqtt.js through src/mqtt/setup.ts).
 */
import type { Clock } from "../core/clock.ts";
import type { LogHub } from "../core/log-hub.ts";
import type { MqttDevice, MqttDevices, MqttSettings } from "../mqtt/ports.ts";
import { startPublishing } from "../mqtt/setup.ts";
import type { RunningPublisher } from "../mqtt/setup.ts";
import type { ServedDevice } from "../server/served-device.ts";
import type { Bridge } from "../server/bridge.ts";

/** The running publisher as app/serve.ts sees it: banner line, `/health` figures, bounded close. */
export type RunningMqtt = RunningPublisher;

/** What app/serve.ts hands over. */
export interface MqttStart {
  /** The parsed `--mqtt*` options, the broker URL given. */
  flags: MqttSettings;
  bridge: Bridge;
  logs: LogHub;
  clock: Clock;
  info: { version: string; runtime: string };
}

/** Starts publishing every device of the bridge; never waits for the broker. */
export function startMqtt(s: MqttStart): RunningMqtt {
  return startPublishing({
    settings: s.flags,
    devices: bridgeDevices(s.bridge),
    log: s.logs.logger("mw75.mqtt"),
    clock: s.clock,
    info: s.info,
  });
}

/** The bridge as the publisher's device list: devices added (`connect_device`) and removed (`remove_device`). */
export function bridgeDevices(bridge: Bridge): MqttDevices {
  return {
    list: () => bridge.list().map(mqttDevice),
    watch(watcher) {
      let open = true;
      bridge.onAdded((device) => {
        if (open) watcher.added(mqttDevice(device));
      });
      // the bridge adds no device of that id before this ran: the clear never hits a successor's state
      bridge.onRemoved((device) => {
        if (open) watcher.removed(device.identity.id);
      });
      return { close: () => void (open = false) };
    },
  };
}

/** One served device as the publisher's device: its hub's subscriptions, all shed (never hold the source). */
export function mqttDevice(device: ServedDevice): MqttDevice {
  return {
    identity: { ...device.identity, synthetic: device.source.synthetic },
    snapshot: () => device.snapshot(),
    batches: (options, onFrame) =>
      device.taps.batches("mqtt", { ...options }, (message, batch) => {
        if (typeof message !== "string") onFrame(message, batch.count); // binary options: bytes
      }),
    state: (onStatus) => device.taps.state({ name: "mqtt", onStatus }),
    events: (onEvent) => device.taps.events("mqtt", onEvent),
    metrics: (options, onMetrics) =>
      device.taps.metrics({ ...options }, (output) => onMetrics(output.dataJson())),
  };
}
