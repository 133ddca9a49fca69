/**
 * @module `--mqtt`: resolves the bridge id (the host name by default), opens the broker link with its
 * last will, and publishes every device the program has (and those added later). Loaded only when
 * `--mqtt` is given, so a bridge without a broker never loads mqtt.js.
 */
import { hostname } from "node:os";
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../ports/logger.ts";
import { openBrokerLink, safeUrl } from "./connection.ts";
import type { MqttDevices, MqttHealth, MqttSettings } from "./ports.ts";
import { MqttPublisher } from "./publisher.ts";
import { bridgeIdFromHost, bridgeTopics } from "./topics.ts";

/** The running publisher as the program sees it. */
export interface RunningPublisher {
  /** One line for the banner: where it publishes. */
  readonly banner: string;
  /** `/health` `mqtt`: what was published, queued, dropped; where. */
  health(): MqttHealth;
  /** Publishes `{"online": false}` (retained) and disconnects; bounded. */
  close(): Promise<void>;
}

/** What publishing needs from the program. */
export interface PublishingOptions {
  settings: MqttSettings;
  devices: MqttDevices;
  /** The `mw75.mqtt` logger. */
  log: Logger;
  clock: Clock;
  info: { version: string; runtime: string };
}

/** Starts publishing; never waits for the broker (an unreachable one is retried in the background). */
export function startPublishing(s: PublishingOptions): RunningPublisher {
  const { settings, log } = s;
  const bridgeId = settings.bridgeId ?? bridgeIdFromHost(hostNameOr("bridge"));
  const topics = bridgeTopics(settings.prefix, bridgeId);
  const topicPrefix = `${settings.prefix}/${bridgeId}`;
  const publisher = new MqttPublisher({
    bridgeId,
    topics,
    clock: s.clock,
    log,
    info: { ...s.info, started_at: s.clock.now() / 1000, topic_prefix: topicPrefix },
  });
  const offline = { topic: topics.status, payload: publisher.statusPayload(false) };
  const link = openBrokerLink({
    url: settings.url,
    username: settings.username,
    password: settings.password,
    // unique per process: a second bridge with the same id must not take over this one's session
    clientId: `mw75-${bridgeId}-${crypto.randomUUID().slice(0, 8)}`,
    will: offline,
    clock: s.clock,
    log,
    onConnect: () => publisher.connected(),
    onDisconnect: () => publisher.disconnected(),
  });
  publisher.use(link);
  for (const device of s.devices.list()) publisher.add(device);
  const watching = s.devices.watch({
    added: (device) => publisher.add(device),
    removed: (id) => publisher.remove(id),
  });
  const broker = safeUrl(settings.url);
  return {
    banner:
      `mqtt: publishing to ${broker} under ${topicPrefix}/ (status, <device>/state, <device>/eeg, <device>/events)`,
    health: () => ({
      ...publisher.health(),
      broker,
      bridge_id: bridgeId,
      topic_prefix: topicPrefix,
    }),
    async close() {
      watching.close();
      publisher.close();
      await link.close(offline);
    },
  };
}

/** The host name; a runtime that may not read it (Deno without --allow-sys) gets `fallback`. */
function hostNameOr(fallback: string): string {
  try {
    return hostname();
  } catch {
    return fallback;
  }
}
