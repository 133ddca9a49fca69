/**
 * @module Per-client subscriptions of one device (docs/protocol/bridge-api.md §2): a client starts with `eeg`, may
 * add and remove streams at any time (before or after `connect`), and keeps them across device
 * reconnects. Each subscription is a subscriber of the device's hub (src/hub), made by a stream module.
 */
import type { SubscriptionOptionsData } from "../../protocol/messages.ts";
import type { Clock } from "../../core/clock.ts";
import type { NotchHz } from "../../core/notch.ts";
import type { DeviceHub } from "../../hub/device-hub.ts";
import type { StreamName, Subscription } from "../../protocol/subscriptions.ts";
import type { Client, ClientRegistry } from "../client-registry.ts";
import { subscribeBatches } from "./batch-stream.ts";
import { subscribeDiagnostics } from "./diagnostics-stream.ts";
import { subscribeEeg } from "./eeg-fanout.ts";
import { subscribeEvents } from "./event-stream.ts";
import type { MetricsFeeds } from "./metrics-feeds.ts";
import type { AdapterStatusEvents } from "../adapter-status.ts";
import { subscribeMetrics } from "./metrics-stream.ts";

/** One active subscription: its effective options and how to end it. */
interface Active {
  readonly options: SubscriptionOptionsData;
  stop(): void;
}

/** Who subscribed to which stream of one device; each subscription is one of its hub's subscribers. */
export class StreamRouter {
  #device: DeviceHub;
  #clients: ClientRegistry;
  #clock: Clock;
  #metrics: MetricsFeeds;
  #subs = new Map<Client, Map<StreamName, Active>>();
  /** The bridge's adapter changes, which every `events` subscriber gets too (null: none watched). */
  #adapter: AdapterStatusEvents | null;

  constructor(
    device: DeviceHub,
    clients: ClientRegistry,
    clock: Clock,
    metrics: MetricsFeeds,
    adapter: AdapterStatusEvents | null = null,
  ) {
    this.#device = device;
    this.#adapter = adapter;
    this.#metrics = metrics;
    this.#clients = clients;
    this.#clock = clock;
  }

  /** The `notch_hz` setting: the mains notch of every `eeg_batch` pipeline (never `eeg_data`). */
  get notchHz(): NotchHz {
    return this.#device.notchHz;
  }

  setNotch(hz: NotchHz): void {
    this.#device.setNotch(hz);
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
  subscribe(client: Client, sub: Subscription): SubscriptionOptionsData {
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
  list(client: Client): Array<{ stream: StreamName; options: SubscriptionOptionsData }> {
    return [...(this.#subs.get(client)?.entries() ?? [])].map(([stream, a]) => ({
      stream,
      options: a.options,
    }));
  }

  /** Shutdown: every timer stops. */
  close(): void {
    for (const client of [...this.#subs.keys()]) this.removeClient(client);
  }

  #start(client: Client, sub: Subscription): Active {
    const [device, clients] = [this.#device, this.#clients];
    switch (sub.stream) {
      case "eeg": {
        const s = subscribeEeg(device, clients, client);
        return { options: {}, stop: () => s.close() };
      }
      case "events": {
        const s = subscribeEvents(device, clients, client, this.#adapter);
        return { options: {}, stop: () => s.close() };
      }
      case "diagnostics": {
        const s = subscribeDiagnostics(device, clients, client, sub.options.interval_ms);
        return { options: { ...sub.options }, stop: () => s.close() };
      }
      case "metrics": {
        const s = subscribeMetrics(this.#metrics, clients, client, sub.options);
        return { options: { ...sub.options }, stop: () => s.close() };
      }
      case "eeg_batch": {
        const handle = subscribeBatches(device, clients, this.#clock, client, sub.options);
        return { options: { ...handle.options }, stop: () => handle.close() };
      }
    }
  }
}
