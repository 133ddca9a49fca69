/**
 * @module How consumers that are no socket (the MQTT publisher, the LSL outlets) attach to one
 * device's hub: every subscription is shed, so none of them can hold the source.
 */
import type { DeviceEvent } from "../core/device-events.ts";
import type { SampleBatch, SampleBlock } from "../core/samples.ts";
import type { DeviceHub } from "../hub/device-hub.ts";
import { SHED } from "../hub/subscribers.ts";
import type { StateSubscriber, Subscription } from "../hub/subscribers.ts";
import type { OutMessage } from "../ports/client-socket.ts";
import type { BatchOptions } from "../protocol/subscriptions.ts";
import { tapBatches } from "./streams/batch-stream.ts";
import { EEG_DATA } from "./streams/eeg-fanout.ts";
import type { MetricsOptions } from "../protocol/metrics.ts";
import type { MetricsFeeds, MetricsOutput } from "./streams/metrics-feeds.ts";

/** The device's hub as non-socket consumers see it. */
export class DeviceTaps {
  #hub: DeviceHub;
  #metrics: MetricsFeeds;

  constructor(hub: DeviceHub, metrics: MetricsFeeds) {
    this.#hub = hub;
    this.#metrics = metrics;
  }

  /** The `metrics` of `options` (MQTT): the computation sockets with equal options share. */
  metrics(options: MetricsOptions, onMetrics: (output: MetricsOutput) => void): Subscription {
    return this.#metrics.attach(options, onMetrics);
  }

  /** `eeg_batch` messages without a socket (batch-stream.ts `tapBatches`). */
  batches(
    name: string,
    options: BatchOptions,
    onBatch: (message: OutMessage, batch: SampleBatch) => void,
  ): Subscription {
    return tapBatches(this.#hub, name, options, onBatch);
  }

  /** Every sample block at full rate (the LSL outlet); its own bounded queues drop and count. */
  blocks(name: string, onBlock: (block: SampleBlock) => void): Subscription {
    return this.#hub.blocks({ name, delivery: SHED, onBlock });
  }

  /** Each block's `eeg_data` messages, the very strings the sockets get (push mode). */
  eegData(name: string, onMessages: (messages: readonly string[]) => void): Subscription {
    return this.#hub.blocks({
      name,
      delivery: SHED,
      encoding: EEG_DATA,
      onBlock: (_block, messages) => onMessages(messages),
    });
  }

  /** Status changes and errors of the device. */
  state(subscriber: StateSubscriber): Subscription {
    return this.#hub.state(subscriber);
  }

  /** The device's events (markers included). */
  events(name: string, onEvent: (event: DeviceEvent) => void): Subscription {
    return this.#hub.events({ name, onEvent });
  }
}
