/**
 * @module One device's MQTT feed: one more subscriber of its sample stream (a tap on its `eeg_batch`
 * group, so frames are the ones a WebSocket subscriber of the same options gets, encoded once) and
 * of its status and events, feeding its bounded queue. Nothing here waits for the broker.
 */
import type { DeviceEvent } from "../core/device-events.ts";
import type { StatusCause, StatusState } from "../core/session-events.ts";
import { DEVICE_RATE_HZ } from "../core/samples.ts";
import { eventData } from "../protocol/encoders/device-events.ts";
import { toSeconds } from "../protocol/envelope.ts";
import { statusText } from "../protocol/status-text.ts";
import type { BatchOptions } from "../protocol/subscriptions.ts";
import type { ServedDevice } from "../server/served-device.ts";
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

/** Seconds of frames a device keeps queued while the broker is away (BRIDGE-API §7). */
export const QUEUE_SECONDS = 10;

/** The feed of one device; `wake` asks the publisher to send what is queued. */
export class DeviceFeed {
  readonly id: string;
  readonly queue = new PublishQueue(QUEUE_SECONDS * DEVICE_RATE_HZ);
  /** The retained state to publish, or null when the broker already has the latest. */
  pendingState: string | null;
  #state: Record<string, unknown>;
  #stops: Array<() => void>;
  /** Frames handed to the broker link and not yet confirmed by a PINGRESP; `#sentBase` counts those gone before. */
  #sent: Outgoing[] = [];
  #sentSamples = 0;
  #sentBase = 0;
  /** Samples of the frames the broker confirmed (a PINGRESP came after them). */
  confirmedSamples = 0;

  constructor(bridge: ServedDevice, topics: BridgeTopics, now: () => number, wake: () => void) {
    const id = (this.id = bridge.identity.id);
    const session = bridge.session;
    this.#state = {
      state: session.state,
      message: "",
      timestamp: toSeconds(now()),
      battery_level: session.batteryLevel,
      device_id: id,
    };
    this.pendingState = JSON.stringify(this.#state);
    const eeg = topics.eeg(id);
    const events = topics.events(id);
    const batches = bridge.tapBatches("mqtt", { ...MQTT_BATCH_OPTIONS }, (message, batch) => {
      if (typeof message === "string") return; // binary options: always bytes
      this.queue.push({
        topic: eeg,
        payload: message,
        qos: 0,
        retain: false,
        samples: batch.count,
      });
      wake();
    });
    const stateSub = bridge.deviceHub.state({
      name: "mqtt",
      onStatus: (state: StatusState, cause: StatusCause) => {
        this.#setState({
          state,
          message: statusText(cause),
          timestamp: toSeconds(now()),
          battery_level: session.batteryLevel,
        });
        wake();
      },
    });
    const eventsSub = bridge.deviceHub.events({
      name: "mqtt",
      onEvent: (event: DeviceEvent) => {
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
      },
    });
    this.#stops = [batches, stateSub, eventsSub].map((s) => () => s.close());
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
    for (const stop of this.#stops) stop();
    this.#stops = [];
  }

  #forget(): Outgoing {
    const message = this.#sent.shift()!;
    this.#sentSamples -= message.samples;
    this.#sentBase++;
    return message;
  }

  #setState(change: Record<string, unknown>): void {
    this.#state = { ...this.#state, ...change };
    this.pendingState = JSON.stringify(this.#state);
  }
}
