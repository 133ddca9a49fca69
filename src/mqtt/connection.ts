/**
 * @module The bridge's one connection to the MQTT broker, over mqtt.js (the only module that loads
 * it): the last will, reconnects with backoff (1 s doubling to 30 s, forever: a broker may be down
 * for hours), and log lines that say what is wrong without ever naming the password.
 */
import { Buffer } from "node:buffer";
import mqtt from "mqtt";
import type { IClientOptions, MqttClient } from "mqtt";
import type { Clock, TimerHandle } from "../core/clock.ts";
import type { Logger } from "../core/ports.ts";
import { reconnectDelayMs } from "../core/reconnect.ts";

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
  publish(topic: string, payload: Uint8Array | string, qos: 0 | 1, retain: boolean, done: (error?: Error) => void): void;
  /**
   * Sends a PINGREQ; `done` runs when its PINGRESP arrives. A broker handles one connection's
   * packets in order, so by then it has read everything published before: the QoS 0 frames sent
   * so far are confirmed. Never called back when the connection closes first.
   */
  confirm(done: () => void): void;
  /** Publishes `last` (e.g. the offline status) if connected, then disconnects cleanly (bounded). */
  close(last?: { topic: string; payload: string }): Promise<void>;
}

/** The broker URL as logs show it: no user name, no password. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    return u.toString().replace(/\/$/, "");
  } catch {
    return "(invalid URL)";
  }
}

const CONNECT_TIMEOUT_MS = 5000;
/**
 * Seconds of the MQTT keepalive. mqtt.js closes the connection when no packet (PINGRESP, PUBACK…)
 * came from the broker for 1.5 × this, so a frozen or cut-off broker stops being reported connected
 * within 3 s of its last answer; an idle link costs one 2-byte ping each way every 2 s.
 */
export const KEEPALIVE_S = 2;
/** The liveness bound that follows from KEEPALIVE_S (how mqtt.js applies it). */
export const SILENCE_LIMIT_MS = KEEPALIVE_S * 1500;
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
  let pings: Array<(() => void) | null> = [];
  let mine: (() => void) | null = null;
  client.on("packetsend", (packet) => {
    if (packet.cmd === "pingreq") pings.push(mine);
  });
  client.on("packetreceive", (packet) => {
    if (packet.cmd === "pingresp") pings.shift()?.();
  });

  client.on("connect", () => {
    attempt = 0;
    wasConnected = true;
    lastProblem = "";
    o.log.log("INFO", `MQTT: connected to ${where} as ${o.clientId}`);
    o.onConnect();
  });
  client.on("error", (error) => {
    const problem = describeError(error, where);
    // a broker that stays down would repeat the same line every retry: once at WARNING/ERROR, then DEBUG
    o.log.log(problem === lastProblem ? "DEBUG" : isAuthError(error) ? "ERROR" : "WARNING", problem);
    lastProblem = problem;
  });
  client.on("close", () => {
    pings = [];
    o.onDisconnect();
    if (closing || timer !== null) return;
    if (wasConnected) o.log.log("WARNING", `MQTT: lost the connection to ${where}; publishing is queued (up to 10 s per device) until it is back`);
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
      client.publish(topic, typeof payload === "string" ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), { qos, retain }, (e) => done(e ?? undefined));
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
      if (timer !== null) o.clock.clearTimeout(timer);
      timer = null;
      const bounded = <T>(p: Promise<T>) => Promise.race([p, new Promise<void>((r) => setTimeout(r, CLOSE_TIMEOUT_MS))]);
      if (last !== undefined && client.connected) {
        await bounded(client.publishAsync(last.topic, last.payload, { qos: 1, retain: true }).catch(() => {}));
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
    return `MQTT: the broker ${where} sent nothing for ${SILENCE_LIMIT_MS / 1000} s (frozen, overloaded or cut off): ` +
      "closed the connection, its unconfirmed frames are queued again; reconnecting with backoff";
  }
  if (isAuthError(error)) {
    return `MQTT: the broker ${where} refused the login (${error.message}): check --mqtt-username and --mqtt-password ` +
      "(or MW75_MQTT_USERNAME/MW75_MQTT_PASSWORD); retrying with backoff";
  }
  const code = (error as { code?: unknown }).code;
  const detail = typeof code === "string" ? `${code}: ${error.message}` : error.message;
  return `MQTT: cannot reach the broker ${where} (${detail}); retrying with backoff`;
}
