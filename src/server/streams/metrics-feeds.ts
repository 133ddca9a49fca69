/**
 * @module The `metrics` computations of one device (docs/protocol/bridge-api.md §2.6): one hub `windows`
 * subscriber per option set, however many sockets and taps (MQTT) ask for it; each window is computed
 * once and encoded once per kind of socket.
 */
import type { DeviceHub } from "../../hub/device-hub.ts";
import type { Subscription } from "../../hub/subscribers.ts";
import { freshId } from "../../protocol/envelope.ts";
import type { MetricsData, MetricsOptions } from "../../protocol/metrics.ts";
import { DEVICE_RATE_HZ } from "../../core/samples.ts";
import { WindowMetrics } from "../../metrics/window-metrics.ts";

/** One computed window: its data, and its `metrics` message encoded once per `device_id` form. */
export class MetricsOutput {
  #plain: string | null = null;
  #named: string | null = null;
  #data: string | null = null;
  readonly #id = freshId();

  constructor(readonly data: MetricsData, readonly deviceId: string) {}

  /** The data alone as JSON (MQTT's `metrics` payload). */
  dataJson(): string {
    return this.#data ??= JSON.stringify(this.data);
  }

  /** The message as a socket gets it: with `device_id` on per-device sockets (`named`). */
  message(named: boolean): string {
    if (named) {
      return this.#named ??= JSON.stringify({
        id: this.#id,
        type: "metrics",
        data: { ...this.data, device_id: this.deviceId },
      });
    }
    return this.#plain ??= JSON.stringify({ id: this.#id, type: "metrics", data: this.data });
  }
}

/** `/health` `devices[].metrics`: one entry per computation running. */
export interface MetricsFeedHealth {
  readonly interval_ms: number;
  readonly window_s: number;
  readonly subscribers: number;
}

interface Feed {
  readonly options: MetricsOptions;
  readonly listeners: Set<(output: MetricsOutput) => void>;
  readonly subscription: Subscription;
}

/** The option sets being computed for one device, and who receives each. */
export class MetricsFeeds {
  readonly #hub: DeviceHub;
  readonly #deviceId: string;
  readonly #feeds = new Map<string, Feed>();

  constructor(hub: DeviceHub, deviceId: string) {
    this.#hub = hub;
    this.#deviceId = deviceId;
  }

  /** `listener` receives every window of `options`; returns its removal (the last one stops the feed). */
  attach(options: MetricsOptions, listener: (output: MetricsOutput) => void): Subscription {
    // intervals that round to the same hop (33 and 34 ms: 17 samples) give the same messages
    const key = `${hopOf(options)}/${options.window_s}`;
    let feed = this.#feeds.get(key);
    if (feed === undefined) this.#feeds.set(key, feed = this.#start(options));
    const mine = (output: MetricsOutput) => listener(output);
    feed.listeners.add(mine);
    const f = feed;
    let open = true;
    return {
      close: () => {
        if (!open) return;
        open = false;
        f.listeners.delete(mine);
        if (f.listeners.size > 0 || this.#feeds.get(key) !== f) return;
        this.#feeds.delete(key);
        f.subscription.close();
      },
    };
  }

  health(): MetricsFeedHealth[] {
    return [...this.#feeds.values()].map((f) => ({
      interval_ms: f.options.interval_ms,
      window_s: f.options.window_s,
      subscribers: f.listeners.size,
    }));
  }

  #start(options: MetricsOptions): Feed {
    const hop = hopOf(options);
    const computation = new WindowMetrics(options.window_s, DEVICE_RATE_HZ, hop);
    const size = Math.round(options.window_s * DEVICE_RATE_HZ);
    const minimum = Math.ceil(size / 2);
    const listeners = new Set<(output: MetricsOutput) => void>();
    const subscription = this.#hub.windows({
      name: `metrics ${options.interval_ms} ms / ${options.window_s} s`,
      size,
      hop,
      onWindow: (window) => {
        // a window refilling after a reconnect (or a long gap) says too little to judge contact
        if (window.count < minimum) return;
        const output = new MetricsOutput(computation.compute(window), this.#deviceId);
        // a listener that throws must not keep the window from the others: it is detached (a
        // socket's or a tap's send never throws, so this is a defect) and the hub logs it once
        let failure: unknown = null;
        for (const listener of [...listeners]) {
          try {
            listener(output);
          } catch (e) {
            listeners.delete(listener);
            failure ??= e;
          }
        }
        if (failure !== null) throw failure;
      },
    });
    return { options, listeners, subscription };
  }
}

/** Samples between messages: round(interval_ms / 2) at 500 Hz. */
function hopOf(options: MetricsOptions): number {
  return Math.max(1, Math.round((options.interval_ms * DEVICE_RATE_HZ) / 1000));
}
