/**
 * @module Per-client subscriptions of one device (BRIDGE-API §2): a client starts with `eeg`, may
 * add and remove streams at any time (before or after `connect`), and keeps them across device
 * reconnects. Routes the device's samples and events to the stream modules.
 */
import type { Clock } from "../../core/clock.ts";
import type { Device } from "../../core/device.ts";
import type { DeviceEvent } from "../../core/device-events.ts";
import type { NotchHz } from "../../core/notch.ts";
import type { SampleBlock } from "../../core/samples.ts";
import type { BatchOptions, StreamName, Subscription } from "../../protocol/subscriptions.ts";
import type { Client, Hub } from "../hub.ts";
import { BatchStream } from "./batch-stream.ts";
import type { BatchTap } from "./batch-stream.ts";
import { startDiagnostics } from "./diagnostics-stream.ts";
import { EegFanout } from "./eeg-fanout.ts";
import { EventStream } from "./event-stream.ts";

/** One active subscription: its effective options and how to end it. */
interface Active {
  readonly options: Record<string, unknown>;
  stop(): void;
}

/** The streams of one device and who subscribed to what. */
export class StreamRouter {
  #device: Device;
  #hub: Hub;
  #clock: Clock;
  #eeg: EegFanout;
  #batches: BatchStream;
  #events: EventStream;
  #subs = new Map<Client, Map<StreamName, Active>>();

  constructor(device: Device, hub: Hub, clock: Clock) {
    this.#device = device;
    this.#hub = hub;
    this.#clock = clock;
    this.#eeg = new EegFanout(hub);
    this.#batches = new BatchStream(hub, clock, device.ring);
    this.#events = new EventStream(hub);
  }

  /** Routes a device's samples to every stream (wired as a DeviceListener). */
  onSamples(block: SampleBlock): void {
    this.#eeg.onSamples(block);
    this.#batches.onSamples(block);
  }

  onEvent(event: DeviceEvent): void {
    this.#events.onEvent(event);
  }

  /** The `notch_hz` setting: the mains notch of every `eeg_batch` pipeline (never `eeg_data`). */
  get notchHz(): NotchHz {
    return this.#batches.notchHz;
  }

  setNotch(hz: NotchHz): void {
    this.#batches.setNotch(hz);
  }

  /** A subscriber of `eeg_batch` that is no socket (the MQTT publisher); returns its removal. */
  tapBatches(options: BatchOptions, tap: BatchTap): () => void {
    return this.#batches.tap(options, tap);
  }

  /** A new client: subscribed to `eeg`, as the base protocol expects. */
  addClient(client: Client): void {
    this.#subs.set(client, new Map());
    this.subscribe(client, { stream: "eeg", options: {} });
  }

  /** A client left: every subscription ends. */
  removeClient(client: Client): void {
    const subs = this.#subs.get(client);
    if (subs === undefined) return;
    for (const active of subs.values()) active.stop();
    this.#subs.delete(client);
  }

  /** Starts (or replaces) a subscription; returns its effective options for the ack. */
  subscribe(client: Client, sub: Subscription): Record<string, unknown> {
    const subs = this.#subs.get(client);
    if (subs === undefined) return { ...sub.options };
    subs.get(sub.stream)?.stop();
    const active = this.#start(client, sub);
    subs.set(sub.stream, active);
    return active.options;
  }

  /** Ends a subscription; false when the client had none on that stream. */
  unsubscribe(client: Client, stream: StreamName): boolean {
    const active = this.#subs.get(client)?.get(stream);
    if (active === undefined) return false;
    active.stop();
    this.#subs.get(client)!.delete(stream);
    return true;
  }

  /** The status reply's `subscriptions`. */
  list(client: Client): Array<{ stream: StreamName; options: Record<string, unknown> }> {
    return [...(this.#subs.get(client)?.entries() ?? [])].map(([stream, a]) => ({
      stream,
      options: a.options,
    }));
  }

  /** Shutdown: every timer stops. */
  close(): void {
    for (const client of [...this.#subs.keys()]) this.removeClient(client);
    this.#batches.close();
  }

  #start(client: Client, sub: Subscription): Active {
    switch (sub.stream) {
      case "eeg":
        this.#eeg.add(client);
        return { options: {}, stop: () => this.#eeg.remove(client) };
      case "events":
        this.#events.add(client);
        return { options: {}, stop: () => this.#events.remove(client) };
      case "diagnostics": {
        const stop = startDiagnostics(
          client,
          sub.options.interval_ms,
          this.#device,
          this.#hub,
          this.#clock,
        );
        return { options: { ...sub.options }, stop };
      }
      case "eeg_batch": {
        const handle = this.#batches.subscribe(client, sub.options);
        return { options: { ...handle.options }, stop: () => handle.close() };
      }
    }
  }
}
