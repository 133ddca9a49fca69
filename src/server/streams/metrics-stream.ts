/** @module A socket's `metrics` subscription: a listener of the device's shared computation for its options (metrics-feeds.ts). */
import type { Subscription } from "../../hub/subscribers.ts";
import type { MetricsOptions } from "../../protocol/metrics.ts";
import type { Client, ClientRegistry } from "../client-registry.ts";
import type { MetricsFeeds } from "./metrics-feeds.ts";

/** Starts a client's metrics: every window's message, shed like any stream message when it lags. */
export function subscribeMetrics(
  feeds: MetricsFeeds,
  clients: ClientRegistry,
  client: Client,
  options: MetricsOptions,
): Subscription {
  const named = client.deviceId !== null;
  return feeds.attach(options, (output) => clients.sendDataTo([client], [output.message(named)]));
}
