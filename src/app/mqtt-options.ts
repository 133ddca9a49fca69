/** @module The MQTT options of `serve` (BRIDGE-API §7): flags, environment fallbacks, validation and their usage lines. */
import { UsageError } from "./device-plan.ts";

/** What the MQTT flags resolve to; `url` null = no broker (nothing is published). */
export interface MqttFlags {
  url: string | null;
  username: string | null;
  /** Never logged, never in /health. */
  password: string | null;
  /** The first topic level(s), default `mw75`; may hold `/`, never `+`, `#` or an empty level. */
  prefix: string;
  /** null = the host name, resolved at start-up. */
  bridgeId: string | null;
}

export const MQTT_USAGE =
  `  --mqtt URL                publish every device to an MQTT broker: mqtt://HOST:PORT, mqtts://…, ws://…, wss://…
  --mqtt-username NAME      broker user name (or set MW75_MQTT_USERNAME)
  --mqtt-password PASS      broker password (or set MW75_MQTT_PASSWORD, which keeps it out of the process list)
  --mqtt-prefix P           first topic level(s) (default mw75): topics are P/BRIDGE_ID/…
  --bridge-id ID            this bridge's topic level (default: the host name)
`;

const SCHEMES = ["mqtt:", "mqtts:", "ws:", "wss:"];

/** The flags before any is given. */
export function defaultMqtt(): MqttFlags {
  return { url: null, username: null, password: null, prefix: "mw75", bridgeId: null };
}

type Setter = (c: { mqtt: MqttFlags }, value: string) => void;

/** The valued MQTT flags, in the shape of config.ts's table. */
export const MQTT_VALUED: Record<string, Setter> = {
  "--mqtt": (c, v) => void (c.mqtt.url = brokerUrl(v)),
  "--mqtt-username": (c, v) => void (c.mqtt.username = filled("--mqtt-username", v)),
  "--mqtt-password": (c, v) => void (c.mqtt.password = filled("--mqtt-password", v)),
  "--mqtt-prefix": (c, v) => void (c.mqtt.prefix = topicLevels("--mqtt-prefix", v, true)),
  "--bridge-id": (c, v) => void (c.mqtt.bridgeId = topicLevels("--bridge-id", v, false)),
};

/**
 * Fills user name and password from the environment when the flags did not give them, and refuses
 * MQTT options without `--mqtt` (a typo would otherwise silently publish nothing).
 */
export function finishMqtt(
  c: { mqtt: MqttFlags },
  env: Readonly<Record<string, string | undefined>>,
): void {
  const m = c.mqtt;
  if (m.username === null && env["MW75_MQTT_USERNAME"]) m.username = env["MW75_MQTT_USERNAME"];
  if (m.password === null && env["MW75_MQTT_PASSWORD"]) m.password = env["MW75_MQTT_PASSWORD"];
  if (m.url !== null) return;
  const given = [["--mqtt-prefix", m.prefix !== "mw75"], ["--bridge-id", m.bridgeId !== null]]
    .filter(([, set]) => set);
  if (given.length > 0) {
    throw new UsageError(
      `${given.map(([name]) => name).join(" and ")} only ${
        given.length > 1 ? "apply" : "applies"
      } with --mqtt URL`,
    );
  }
}

/** A broker URL mqtt.js can open; a bad one names what is wrong, never the password it may contain. */
export function brokerUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(
      `--mqtt expects a broker URL like mqtt://127.0.0.1:1883, got a value that is no URL`,
    );
  }
  if (!SCHEMES.includes(url.protocol)) {
    throw new UsageError(
      `--mqtt expects a URL starting with mqtt://, mqtts://, ws:// or wss://, got "${url.protocol}//"`,
    );
  }
  if (url.hostname === "") {
    throw new UsageError(`--mqtt: the URL names no host (e.g. mqtt://127.0.0.1:1883)`);
  }
  return value;
}

/** Longest `--bridge-id` and `--mqtt-prefix`, in UTF-8 bytes: a topic is at most 65,535 bytes, and these leave room for the device id and the stream's name. */
export const BRIDGE_ID_MAX_BYTES = 64;
export const PREFIX_MAX_BYTES = 256;

// C0 and C1 controls and DEL: MQTT allows most of them, but brokers and tools do not agree on them
// and a log line or a terminal shows them wrongly; NUL is forbidden by MQTT itself
// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// a lone surrogate has no UTF-8 form: the broker would get U+FFFD or close the connection
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Topic levels for the prefix (`lab/mw75`) or one level for the bridge id: no MQTT wildcard (`+`,
 * `#`), no control character, no lone surrogate, no leading `$` (reserved for broker topics), no
 * empty level, and at most `PREFIX_MAX_BYTES` / `BRIDGE_ID_MAX_BYTES` of UTF-8. A broker refuses
 * such topics only when the bridge publishes, and mqtt.js then reports little more than a closed
 * connection: refused here, at start-up, the message names the flag.
 */
export function topicLevels(name: string, value: string, slashes: boolean): string {
  const max = slashes ? PREFIX_MAX_BYTES : BRIDGE_ID_MAX_BYTES;
  const bytes = new TextEncoder().encode(value).length;
  if (bytes > max) {
    throw new UsageError(
      `${name} is at most ${max} bytes of UTF-8, got ${bytes} (${shown(value)})`,
    );
  }
  const control = CONTROL.exec(value);
  if (control !== null) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
    throw new UsageError(
      `${name} must not contain control characters, got U+${code} in ${shown(value)}`,
    );
  }
  if (LONE_SURROGATE.test(value)) {
    throw new UsageError(
      `${name} is not valid Unicode text (a lone surrogate), got ${shown(value)}`,
    );
  }
  const bad = /[+#]/.exec(value);
  if (bad !== null) {
    throw new UsageError(
      `${name} must not contain the MQTT wildcards + and #, got ${shown(value)}`,
    );
  }
  if (!slashes && value.includes("/")) {
    throw new UsageError(
      `${name} is one topic level and must not contain "/", got ${shown(value)}`,
    );
  }
  if (value.split("/").some((level) => level === "")) {
    throw new UsageError(
      `${name} must not be empty or have an empty topic level, got ${shown(value)}`,
    );
  }
  if (value.startsWith("$")) {
    throw new UsageError(
      `${name} must not start with "$" (topics reserved for the broker), got ${shown(value)}`,
    );
  }
  return value;
}

/** The value quoted for a message: controls escaped, cut after 40 characters. */
function shown(value: string): string {
  const head = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  const unsafe = new RegExp(`${CONTROL.source}|${LONE_SURROGATE.source}`, "g");
  return `"${
    head.replace(unsafe, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`)
  }"`;
}

function filled(name: string, value: string): string {
  if (value === "") throw new UsageError(`${name} needs a non-empty value`);
  return value;
}
