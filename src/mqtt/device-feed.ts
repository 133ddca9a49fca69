/**
 * @module One device's MQTT feed: one more subscriber of its sample stream (binary `eeg_batch`
 * frames, the ones a WebSocket subscriber of the same options gets, encoded once), of its status
 * and events, and of its `metrics` (1 s / 2 s), feeding its bounded queue. Nothing here waits for the broker.
 */
import type { StatusState } from "../core/session-events.ts";
import { DEVICE_RATE_HZ } from "../core/samples.ts";
import { eventData } from "../protocol/encoders/device-events.ts";
import { toSeconds } from "../protocol/envelope.ts";
import { statusText } from "../protocol/status-text.ts";
import type { BatchOptions } from "../protocol/subscriptions.ts";
import { MQTT_METRICS_OPTIONS } from "../protocol/metrics.ts";
import type { MqttDevice, MqttSubscription } from "./ports.ts";
import { PublishQueue } from "./queue.ts";
import type { Outgoing } from "./queue.ts";
import type { BridgeTopics } from "./topics.ts";

/**
 * The `eeg` topic's frames: an `eeg_batch` subscription `{format: "binary", num_samples: 50,
 * interval_ms: 500, ref_drl: true}` (all channels, full rate). 50 samples take 100 ms, so the
 * default 100-ms deadline would race the 50th sample and cut about half the frames a few samples
 * short; 500 ms keeps N = 50 and still flushes a stalled stream's last samples within half a second.
 */
export const MQTT_BATCH_OPTIONS: Readonly<BatchOptions> = Object.freeze({
  format: "binary",
  num_samples: 50,
  interval_ms: 500,
  decimate: 1,
  channels: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
  ref_drl: true,
});

/** Seconds of frames a device keeps queued while the broker is away (docs/protocol/bridge-api.md §7). */
export const QUEUE_SECONDS = 10;

/** The retained `<device>/state` payload (docs/protocol/bridge-api.md §7); the keys in this order on the wire. */
export type DeviceStateMessage = {
  state: StatusState;
  message: string;
  /** Seconds since the epoch. */
  timestamp: number;
  battery_level: number | null;
  device_id: string;
};

/** The feed of one device; `wake` asks the publisher to send what is queued. */
export class DeviceFeed {
  readonly id: string;
  readonly queue = new PublishQueue(QUEUE_SECONDS * DEVICE_RATE_HZ);
  /** The retained state to publish, or null when the broker already has the latest. */
  pendingState: string | null;
  /** The newest `metrics` payload not yet handed to the broker (QoS 0), and its topic. */
  pendingMetrics: string | null = null;
  readonly metricsTopic: string;
  #state: DeviceStateMessage;
  #subscriptions: MqttSubscription[];
  /** Frames handed to the broker link and not yet confirmed by a PINGRESP; `#sentBase` counts those gone before. */
  #sent: Outgoing[] = [];
  #sentSamples = 0;
  #sentBase = 0;
  /** Samples of the frames the broker confirmed (a PINGRESP came after them). */
  confirmedSamples = 0;

  constructor(device: MqttDevice, topics: BridgeTopics, now: () => number, wake: () => void) {
    const id = (this.id = device.identity.id);
    const snapshot = device.snapshot();
    this.#state = {
      state: snapshot.state,
      message: "",
      timestamp: toSeconds(now()),
      battery_level: snapshot.batteryLevel,
      device_id: id,
    };
    this.pendingState = JSON.stringify(this.#state);
    const eeg = topics.eeg(id);
    const events = topics.events(id);
    const frames = device.batches({ ...MQTT_BATCH_OPTIONS }, (frame, samples) => {
      this.queue.push({ topic: eeg, payload: frame, qos: 0, retain: false, samples });
      wake();
    });
    const status = device.state((state, cause) => {
      this.#setState({
        state,
        message: statusText(cause),
        timestamp: toSeconds(now()),
        battery_level: device.snapshot().batteryLevel,
      });
      wake();
    });
    const happenings = device.events((event) => {
      this.queue.push({
        topic: events,
        payload: JSON.stringify(eventData(event, id)),
        qos: 1,
        retain: false,
        samples: 0,
      });
      if (event.type === "battery") {
        this.#setState({ battery_level: event.level, timestamp: toSeconds(now()) });
      }
      wake();
    });
    // QoS 0 like the frames: a reading superseded a second later is not worth a retry
    this.metricsTopic = topics.metrics(id);
    // only the newest reading waits (like the state): an outage must not fill the queue with
    // readings a second apart and push events (markers) out of its bound
    const metrics = device.metrics({ ...MQTT_METRICS_OPTIONS }, (json) => {
      this.pendingMetrics = json;
      wake();
    });
    this.#subscriptions = [frames, status, happenings, metrics];
  }

  /** After a (re)connection the broker gets the current state again (it may have restarted without it). */
  republishState(): void {
    this.pendingState = JSON.stringify(this.#state);
  }

  /**
   * A QoS 0 frame went out: kept until the broker confirms it. No bound here: a broker silent for
   * 3 s is left (connection.ts), so this holds at most what was sent in that time, and what comes
   * back to the queue then is bounded there, counted when given up.
   */
  sent(message: Outgoing): void {
    this.#sent.push(message);
    this.#sentSamples += message.samples;
  }

  /** Frames sent and not confirmed yet. */
  get unconfirmed(): number {
    return this.#sent.length;
  }

  /** A position in the sent frames, to confirm up to once the broker answered. */
  get sentMark(): number {
    return this.#sentBase + this.#sent.length;
  }

  /** Everything sent before `mark` reached the broker. */
  confirmed(mark: number): void {
    while (this.#sentBase < mark && this.#sent.length > 0) {
      this.confirmedSamples += this.#forget().samples;
    }
  }

  /** Samples queued or sent and not confirmed yet: neither confirmed nor given up. */
  get pendingSamples(): number {
    return this.queue.samples + this.#sentSamples;
  }

  /** The connection dropped: the unconfirmed frames go back into the queue, in stream order, to be sent again. */
  resendUnconfirmed(): void {
    for (const message of this.#sent) this.queue.putBack(message);
    this.#sentBase += this.#sent.length;
    this.#sent = [];
    this.#sentSamples = 0;
  }

  /** Stops listening (shutdown). */
  close(): void {
    for (const subscription of this.#subscriptions) subscription.close();
    this.#subscriptions = [];
  }

  #forget(): Outgoing {
    const message = this.#sent.shift()!;
    this.#sentSamples -= message.samples;
    this.#sentBase++;
    return message;
  }

  #setState(change: Partial<DeviceStateMessage>): void {
    this.#state = { ...this.#state, ...change };
    this.pendingState = JSON.stringify(this.#state);
  }
}
