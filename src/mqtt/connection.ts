/**
 * @module The bridge's one connection to the MQTT broker, over mqtt.js (the only module that loads
 * it): the last will, reconnects with backoff (1 s doubling to 30 s, forever: a broker may be down
 * for hours), leaving a broker that stopped answering pings, and log lines that say what is wrong
 * without ever naming the password.
 */
import { Buffer } from "node:buffer";
import mqtt from "mqtt";
import type { IClientOptions, MqttClient } from "mqtt";
import type { Clock, TimerHandle } from "../core/clock.ts";
import type { Logger } from "../ports/logger.ts";
import { reconnectDelayMs } from "../core/reconnect.ts";
import { shownUrl } from "../core/shown-url.ts";

/** What opening the link needs. */
export interface BrokerLinkOptions {
  url: string;
  username: string | null;
  password: string | null;
  clientId: string;
  /** Published (retained, QoS 1) by the broker when the bridge vanishes without saying goodbye. */
  will: { topic: string; payload: string };
  clock: Clock;
  log: Logger;
  /** Each (re)connection, once the broker accepted it. */
  onConnect(): void;
  /** The connection closed (or an attempt failed): what was sent and not confirmed may be lost. */
  onDisconnect(): void;
}

/** The open link; `publish` only while `connected`. */
export interface BrokerLink {
  readonly connected: boolean;
  publish(
    topic: string,
    payload: Uint8Array | string,
    qos: 0 | 1,
    retain: boolean,
    done: (error?: Error) => void,
  ): void;
  /**
   * Sends a PINGREQ; `done` runs when its PINGRESP arrives. A broker handles one connection's
   * packets in order, so by then it has read everything published before: the QoS 0 frames sent
   * so far are confirmed. Never called back when the connection closes first.
   */
  confirm(done: () => void): void;
  /** Publishes `last` (e.g. the offline status) if connected, then disconnects cleanly (bounded). */
  close(last?: { topic: string; payload: string }): Promise<void>;
}

/** The broker URL as logs show it: no user name, no password, secret-looking query values masked. */
export function safeUrl(url: string): string {
  try {
    return shownUrl(new URL(url)).replace(/\/$/, "");
  } catch {
    return "(invalid URL)";
  }
}

const CONNECT_TIMEOUT_MS = 5000;
/**
 * Seconds of the MQTT keepalive: mqtt.js pings an idle link this often, and the broker drops a
 * bridge silent for 1.5 × this (publishing its last will). Generous on purpose: a stall of the
 * bridge's own event loop must not read as a crash. Liveness is PING_ANSWER_LIMIT_MS's job.
 */
const KEEPALIVE_S = 10;
/**
 * A PINGREQ unanswered this long means the broker is gone (frozen, overloaded, cut off without a
 * reset): the connection is closed, reported down, and its unconfirmed frames are queued again.
 * While frames flow a ping follows every pump, so a frozen broker is left about 3 s after it
 * stopped; an idle link is pinged every KEEPALIVE_S, so there it takes up to 13 s.
 */
export const PING_ANSWER_LIMIT_MS = 3000;
/** How often the pings' age is checked (the bound above is met within this). */
const WATCH_EVERY_MS = 250;
const CLOSE_TIMEOUT_MS = 1000;

/** Connects now and keeps reconnecting until closed. */
export function openBrokerLink(o: BrokerLinkOptions): BrokerLink {
  const where = safeUrl(o.url);
  const options: IClientOptions = {
    clientId: o.clientId,
    clean: true,
    // our own backoff below: mqtt.js only knows a fixed period
    reconnectPeriod: 0,
    connectTimeout: CONNECT_TIMEOUT_MS,
    keepalive: KEEPALIVE_S,
    // nothing is handed to mqtt.js while offline: the bounded queue holds it instead
    queueQoSZero: false,
    will: { topic: o.will.topic, payload: o.will.payload, qos: 1, retain: true },
    ...(o.username !== null ? { username: o.username } : {}),
    ...(o.password !== null ? { password: o.password } : {}),
  };
  const client: MqttClient = mqtt.connect(o.url, options);
  let attempt = 0;
  let wasConnected = false;
  let closing = false;
  let timer: TimerHandle | null = null;
  let lastProblem = "";
  // one entry per PINGREQ on the wire, ours (a callback) or mqtt.js's keepalive (null): PINGRESPs come in the same order
  let pings: Array<{ done: (() => void) | null; at: number }> = [];
  let mine: (() => void) | null = null;
  client.on("packetsend", (packet) => {
    if (packet.cmd === "pingreq") pings.push({ done: mine, at: o.clock.now() });
  });
  client.on("packetreceive", (packet) => {
    if (packet.cmd === "pingresp") pings.shift()?.done?.();
  });
  let watch: TimerHandle | null = null;
  let lastTick = 0;
  const stopWatching = () => {
    if (watch !== null) o.clock.clearInterval(watch);
    watch = null;
  };
  const watchPings = () => {
    stopWatching();
    lastTick = o.clock.now();
    watch = o.clock.setInterval(() => {
      const now = o.clock.now();
      // a late tick means this process stalled: the answer may be waiting unread in the socket
      const stalled = now - lastTick > 4 * WATCH_EVERY_MS;
      lastTick = now;
      if (stalled || pings.length === 0 || now - pings[0]!.at < PING_ANSWER_LIMIT_MS) return;
      stopWatching();
      o.log.log(
        "WARNING",
        `MQTT: the broker ${where} has not answered a ping for ${
          PING_ANSWER_LIMIT_MS / 1000
        } s (frozen, overloaded or cut off): ` +
          "leaving it; its unconfirmed frames are queued again",
      );
      client.stream.destroy();
    }, WATCH_EVERY_MS);
  };

  client.on("connect", () => {
    attempt = 0;
    wasConnected = true;
    lastProblem = "";
    o.log.log("INFO", `MQTT: connected to ${where} as ${o.clientId}`);
    watchPings();
    o.onConnect();
  });
  client.on("error", (error) => {
    const problem = describeError(error, where);
    // a broker that stays down would repeat the same line every retry: once at WARNING/ERROR, then DEBUG
    o.log.log(
      problem === lastProblem ? "DEBUG" : isAuthError(error) ? "ERROR" : "WARNING",
      problem,
    );
    lastProblem = problem;
  });
  client.on("close", () => {
    pings = [];
    stopWatching();
    o.onDisconnect();
    if (closing || timer !== null) return;
    if (wasConnected) {
      o.log.log(
        "WARNING",
        `MQTT: lost the connection to ${where}; publishing is queued (up to 10 s per device) until it is back`,
      );
    }
    wasConnected = false;
    const delay = reconnectDelayMs(++attempt);
    o.log.log("DEBUG", `MQTT: reconnecting to ${where} in ${delay / 1000} s (attempt ${attempt})`);
    timer = o.clock.setTimeout(() => {
      timer = null;
      if (!closing) client.reconnect();
    }, delay);
  });

  return {
    get connected() {
      return client.connected;
    },
    publish(topic, payload, qos, retain, done) {
      client.publish(
        topic,
        typeof payload === "string"
          ? payload
          : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength),
        { qos, retain },
        (e) => done(e ?? undefined),
      );
    },
    confirm(done) {
      if (!client.connected) return;
      mine = done;
      try {
        client.sendPing();
      } finally {
        mine = null;
      }
    },
    async close(last) {
      closing = true;
      stopWatching();
      if (timer !== null) o.clock.clearTimeout(timer);
      timer = null;
      const bounded = <T>(p: Promise<T>) =>
        Promise.race([p, new Promise<void>((r) => setTimeout(r, CLOSE_TIMEOUT_MS))]);
      if (last !== undefined && client.connected) {
        await bounded(
          client.publishAsync(last.topic, last.payload, { qos: 1, retain: true }).catch(() => {}),
        );
      }
      await bounded(client.endAsync().catch(() => {}));
      if (client.connected || !client.disconnected) client.end(true);
    },
  };
}

/** CONNACK codes of a refused login: 4/5 in MQTT 3.1.1, 134/135 in MQTT 5. */
function isAuthError(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 4 || code === 5 || code === 134 || code === 135;
}

function describeError(error: Error, where: string): string {
  if (error.message === "Keepalive timeout") {
    return `MQTT: the broker ${where} sent nothing for ${
      KEEPALIVE_S * 1.5
    } s (frozen, overloaded or cut off): ` +
      "left it, its unconfirmed frames are queued again; reconnecting with backoff";
  }
  if (isAuthError(error)) {
    return `MQTT: the broker ${where} refused the login (${error.message}): check --mqtt-username and --mqtt-password ` +
      "(or MW75_MQTT_USERNAME/MW75_MQTT_PASSWORD); retrying with backoff";
  }
  const code = (error as { code?: unknown }).code;
  const detail = typeof code === "string" ? `${code}: ${error.message}` : error.message;
  return `MQTT: cannot reach the broker ${where} (${detail}); retrying with backoff`;
}
