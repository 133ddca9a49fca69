/** @module The MQTT options of `serve` (docs/protocol/bridge-api.md §7): their rows of the option table and their checks. */
import { nonEmpty, UsageError } from "./option-values.ts";
import type { ServeOption } from "./options.ts";

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

export const MQTT_OPTIONS: readonly ServeOption[] = [
  {
    flag: "--mqtt",
    value: "URL",
    help: "publish every device to an MQTT broker: mqtt://HOST:PORT, mqtts://…, ws://…, wss://…",
    set: (c, v) => void (c.mqtt.url = brokerUrl(v)),
  },
  {
    flag: "--mqtt-username",
    value: "NAME",
    env: "MW75_MQTT_USERNAME",
    help: "broker user name",
    set: (c, v, name) => void (c.mqtt.username = nonEmpty(name, v)),
  },
  {
    flag: "--mqtt-password",
    value: "PASS",
    env: "MW75_MQTT_PASSWORD",
    help: "broker password (the variable keeps it out of the process list)",
    set: (c, v, name) => void (c.mqtt.password = nonEmpty(name, v)),
  },
  {
    flag: "--mqtt-prefix",
    value: "P",
    default: "mw75",
    help: "first topic level(s): topics are P/BRIDGE_ID/…",
    set: (c, v, name) => void (c.mqtt.prefix = topicLevels(name, v, true)),
  },
  {
    flag: "--bridge-id",
    value: "ID",
    help: "this bridge's MQTT topic level and LSL source_id prefix (the host name when not given)",
    set: (c, v, name) => void (c.mqtt.bridgeId = topicLevels(name, v, false)),
  },
];

/**
 * Refuses MQTT options without `--mqtt` (a typo would otherwise silently publish nothing;
 * `--bridge-id` also applies with `--lsl`);
 * `defaultPrefix` is the table's, which a command line may repeat without a broker.
 */
export function checkMqttFlags(m: MqttFlags, defaultPrefix: string, lsl = false): void {
  if (m.url !== null) return;
  // the bridge id also names LSL outlets (source_id `<bridge_id>/<device_id>`)
  const given = [["--mqtt-prefix", m.prefix !== defaultPrefix], [
    "--bridge-id",
    m.bridgeId !== null && !lsl,
  ]]
    .filter(([, set]) => set);
  if (given.length > 0) {
    throw new UsageError(
      `${given.map(([name]) => name).join(" and ")} only ${
        given.length > 1 ? "apply" : "applies"
      } with --mqtt URL${m.bridgeId !== null ? " (--bridge-id also with --lsl)" : ""}`,
    );
  }
}

const SCHEMES = ["mqtt:", "mqtts:", "ws:", "wss:"];

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
