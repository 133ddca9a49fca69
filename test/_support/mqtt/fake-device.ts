/** @module A device and a broker link without a server or a broker: what the MQTT publisher's unit tests script. */
import type { DeviceEvent } from "../../../src/core/device-events.ts";
import type { StatusCause, StatusState } from "../../../src/core/session-events.ts";
import type { BrokerLink } from "../../../src/mqtt/connection.ts";
import type {
  MqttDevice,
  MqttDevices,
  MqttDeviceWatcher,
  MqttSubscription,
} from "../../../src/mqtt/ports.ts";
import { MqttPublisher } from "../../../src/mqtt/publisher.ts";
import { bridgeTopics } from "../../../src/mqtt/topics.ts";

/** A device whose `emit(n)` produces n frames of 50 samples; `status`/`event` report as a device does. */
export function fakeDevice(id = "sim-1") {
  let onFrame: ((frame: Uint8Array, samples: number) => void) | null = null;
  let onStatus: ((state: StatusState, cause: StatusCause) => void) | null = null;
  let onEvent: ((event: DeviceEvent) => void) | null = null;
  let onMetrics: ((json: string) => void) | null = null;
  const now = { state: "connected" as StatusState, batteryLevel: 80 as number | null };
  const opened: string[] = [];
  const subscription = (what: string, clear: () => void): MqttSubscription => {
    opened.push(what);
    return { close: () => (clear(), opened.splice(opened.indexOf(what), 1)) };
  };
  let seq = 0;
  const device: MqttDevice = {
    identity: {
      id,
      name: "MW75 Neuro Sim",
      kind: "sim",
      address: "00:00:00:00:00:01",
      synthetic: true,
    },
    snapshot: () => ({ ...now }),
    batches: (_options, cb) => ((onFrame = cb), subscription("batches", () => (onFrame = null))),
    state: (cb) => ((onStatus = cb), subscription("state", () => (onStatus = null))),
    events: (cb) => ((onEvent = cb), subscription("events", () => (onEvent = null))),
    metrics: (_options, cb) => (
      (onMetrics = cb), subscription("metrics", () => (onMetrics = null))
    ),
  };
  return {
    device,
    now,
    /** The subscriptions open now. */
    opened,
    emit(frames: number) {
      for (let i = 0; i < frames; i++, seq += 50) onFrame?.(new Uint8Array([seq & 255]), 50);
    },
    status(state: StatusState, cause: StatusCause) {
      now.state = state;
      onStatus?.(state, cause);
    },
    event(event: DeviceEvent) {
      onEvent?.(event);
    },
    metrics(json: string) {
      onMetrics?.(json);
    },
  };
}

/** A device list the test adds to and removes from. */
export function fakeDevices(initial: MqttDevice[]) {
  const devices = [...initial];
  const watchers = new Set<MqttDeviceWatcher>();
  const list: MqttDevices = {
    list: () => devices,
    watch: (w) => (watchers.add(w), { close: () => void watchers.delete(w) }),
  };
  return {
    list,
    add(d: MqttDevice) {
      devices.push(d);
      for (const w of watchers) w.added(d);
    },
    remove(id: string) {
      devices.splice(devices.findIndex((d) => d.identity.id === id), 1);
      for (const w of watchers) w.removed(id);
    },
  };
}

/** One message handed to the link. */
export interface Published {
  topic: string;
  payload: Uint8Array | string;
  qos: 0 | 1;
  retain: boolean;
  done: (e?: Error) => void;
}

/** A link that is up; `publishes` keeps what was handed over, `pings` the confirmations' callbacks. */
export function fakeLink(answerPublish: boolean) {
  const state = { connected: true, publishes: [] as Published[], pings: [] as Array<() => void> };
  const link: BrokerLink = {
    get connected() {
      return state.connected;
    },
    publish(topic, payload, qos, retain, done) {
      state.publishes.push({ topic, payload, qos, retain, done });
      if (answerPublish) done();
    },
    confirm(done) {
      state.pings.push(done);
    },
    close: async () => {},
  };
  return { link, state };
}

/** A publisher of the bridge `b` under `mw75`, publishing into `link`. */
export function publisherWith(link: BrokerLink, now: () => number = Date.now): MqttPublisher {
  const p = new MqttPublisher({
    bridgeId: "b",
    topics: bridgeTopics("mw75", "b"),
    clock: { now } as never,
    log: { log: () => {} },
    info: { version: "0.0.0", runtime: "bun", started_at: 0, topic_prefix: "mw75/b" },
  });
  p.use(link);
  return p;
}

/** Lets queued microtasks and the publisher's pump run. */
export const tick = (): Promise<unknown> => new Promise((r) => setTimeout(r, 0));
