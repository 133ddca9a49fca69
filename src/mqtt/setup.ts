/**
 * @module `--mqtt`: resolves the bridge id (the host name by default), opens the broker link with its
 * last will, attaches every device of the fleet (and those added later) and wires `/health`.
 * Loaded by main.ts only when `--mqtt` is given, so a bridge without a broker never loads mqtt.js.
 */
import { hostname } from "node:os";
import type { MqttFlags } from "../config-mqtt.ts";
import type { Clock } from "../core/clock.ts";
import type { LogHub } from "../core/log-hub.ts";
import type { Bridge } from "../server/bridge.ts";
import { openBrokerLink, safeUrl } from "./connection.ts";
import { MqttPublisher } from "./publisher.ts";
import { bridgeIdFromHost, bridgeTopics } from "./topics.ts";

/** The running publisher as main.ts sees it. */
export interface RunningMqtt {
  /** One line for the banner: where it publishes. */
  readonly banner: string;
  /** Publishes `{"online": false}` (retained) and disconnects; bounded. */
  close(): Promise<void>;
}

/** What main.ts hands over. */
export interface MqttStart {
  flags: MqttFlags & { url: string };
  fleet: Bridge;
  logs: LogHub;
  clock: Clock;
  info: { version: string; runtime: string };
}

/** Starts publishing; never waits for the broker (an unreachable one is retried in the background). */
export function startMqtt(s: MqttStart): RunningMqtt {
  const { flags } = s;
  const bridgeId = flags.bridgeId ?? bridgeIdFromHost(hostNameOr("bridge"));
  const topics = bridgeTopics(flags.prefix, bridgeId);
  const log = s.logs.logger("mw75.mqtt");
  const publisher = new MqttPublisher({
    bridgeId,
    topics,
    clock: s.clock,
    log,
    info: {
      ...s.info,
      started_at: s.clock.now() / 1000,
      topic_prefix: `${flags.prefix}/${bridgeId}`,
    },
  });
  const offline = { topic: topics.status, payload: publisher.statusPayload(false) };
  const link = openBrokerLink({
    url: flags.url,
    username: flags.username,
    password: flags.password,
    // unique per process: a second bridge with the same id must not take over this one's session
    clientId: `mw75-${bridgeId}-${crypto.randomUUID().slice(0, 8)}`,
    will: offline,
    clock: s.clock,
    log,
    onConnect: () => publisher.connected(),
    onDisconnect: () => publisher.disconnected(),
  });
  publisher.use(link);
  for (const bridge of s.fleet.list()) publisher.add(bridge);
  s.fleet.onAdded((bridge) => publisher.add(bridge));
  s.fleet.mqttHealth = () => ({
    ...publisher.health(),
    broker: safeUrl(flags.url),
    bridge_id: bridgeId,
    topic_prefix: `${flags.prefix}/${bridgeId}`,
  });
  return {
    banner: `mqtt: publishing to ${
      safeUrl(flags.url)
    } under ${flags.prefix}/${bridgeId}/ (status, <device>/state, <device>/eeg, <device>/events)`,
    async close() {
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
