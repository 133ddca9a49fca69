/** @module Command-line options of `serve` (all three runtimes): parsing, validation and the usage text. */
import { RECORDING_FORMATS } from "./recording/types.ts";
import type { RecordingFormat } from "./recording/types.ts";
import type { RecordingStore } from "./ports/recording-store.ts";
import {
  parseSource,
  planDevices,
  setRfcommTty,
  setSimFlag,
  UsageError,
} from "./config-devices.ts";
import type { DeviceFlags, DevicePlan } from "./config-devices.ts";
import { defaultMqtt, finishMqtt, MQTT_USAGE, MQTT_VALUED } from "./config-mqtt.ts";
import type { MqttFlags } from "./config-mqtt.ts";

export { UsageError } from "./config-devices.ts";
export type { DevicePlan, SourceSpec } from "./config-devices.ts";

/** Access control and transport security (BRIDGE-API §5). */
export interface AccessFlags {
  /** Extra origins (or hosts) a browser page may connect from; `*` allows any. */
  allowOrigins: string[];
  /** `--auth FILE`: tokens with roles. */
  authFile: string | null;
  /** `--token TOKEN` (or MW75_TOKEN): one control token. */
  token: string | null;
  /** `--no-auth`: serve a non-loopback host without tokens, deliberately. */
  noAuth: boolean;
  tlsCert: string | null;
  tlsKey: string | null;
  /** Inbound messages per second per client (burst 2×). */
  rateLimit: number;
}

/** Everything `serve` accepts; `devices` is what the device flags resolve to. */
export interface ServeConfig extends DeviceFlags {
  host: string;
  port: number;
  verbose: boolean;
  speed: number;
  capture: string | null;
  maxClients: number;
  heartbeatMs: number;
  reconnectBaseMs: number;
  noDataTimeoutMs: number;
  clientBufferBytes: number;
  maxMessageBytes: number;
  access: AccessFlags;
  /** Where recordings go (`--recordings-dir`). */
  recordingsDir: string;
  /** `--record FORMATS`: start a recording in these formats at the first `connected`. */
  record: RecordingFormat[] | null;
  scanMs: number;
  /** Seconds of samples each device keeps for `since_seq` resume (BRIDGE-API §2.5: 60). */
  retentionS: number;
  /** `--autoconnect`: every device connected at start-up, auto-reconnecting, whoever is connected. */
  autoconnect: boolean;
  devices: DevicePlan[];
  /** `--mqtt URL` and friends (BRIDGE-API §7). */
  mqtt: MqttFlags;
  help: boolean;
}

export const USAGE = `Usage: serve [options]

  --host HOST               interface to bind (default 127.0.0.1)
  --port N                  TCP port (default 8080; 0 = any free port, printed in the banner)
  --verbose, -v             print DEBUG logs on stderr
  --source SRC              sim (default, SYNTHETIC data) | replay:FILE | mw75 | mw75:ADDR (real headset);
                            repeatable: one device each (the first is the default device on / and /ws)
  --sim-devices N           N simulated headsets sim-1 … sim-N, each with its own seed
  --retention-s N           seconds of samples each device keeps for since_seq resume (default 60;
                            about 1.7 MB per device per 60 s: lower it for fleets of hundreds)
  --autoconnect             connect every device at start-up (auto-reconnect on) and keep it connected
                            without clients (recording with --record, headless use)
  --speed X                 replay speed: 1 = real time (default), 0 = as fast as possible
  --capture FILE            save every raw byte the source delivers to FILE (a boundary record between connections)
  --max-clients N           1 (default) = single-client policy; N > 1 = controller/observers
  --heartbeat-ms N          heartbeat period (default 30000)
  --reconnect-base-ms N     auto-reconnect base delay (default 1000: 1, 2, 4, … 30 s)
  --no-data-timeout-ms N    a silent link counts as dropped after N ms (default 1500)
  --client-buffer-bytes N   per-client socket backlog before eeg_data is shed (default 262144)
  --max-message-bytes N     a larger inbound WebSocket message closes the socket with 1009 (default 65536)
  --rate-limit N            inbound messages per second per client, bursts of 2N (default 100)
  --allow-origin ORIGIN     also accept browser pages from ORIGIN (repeatable; * = any)
  --token TOKEN             require this control token (or set MW75_TOKEN); anonymous clients are read-only
  --auth FILE               tokens with roles: {"tokens":[{"token":"…","role":"control"|"observe","name":"…"}]}
  --no-auth                 allow a non-loopback --host without tokens (deliberately open)
  --tls-cert FILE --tls-key FILE   serve https/wss
  --recordings-dir DIR      where recordings are written (default ./recordings)
  --record FORMATS          record from the first connection on, e.g. bdf,csv (bdf, edf, csv, raw)
${MQTT_USAGE}  --device ADDR             mw75: Bluetooth address (skips the scan)
  --rfcomm-tty PATH         mw75: RFCOMM tty (default /dev/rfcomm0)
  --rfcomm-tty ADDR=PATH    the tty of the headset ADDR (one per headset with several; also used by connect_device)
  --scan-ms N               mw75: BLE scan duration (default 4000)
  --sim-seed N --sim-rate-hz N --sim-unthrottled --sim-chunk-bytes N --sim-tick-ms N --sim-battery N
  --sim-activation-delay-ms N --sim-fail-activation --sim-fail-rfcomm --sim-fail-opens N
  --sim-link-loss-ms N --sim-corruption R --sim-drop R --sim-lead-off CHANNELS (e.g. 3,7)
                            simulator tuning and fault injection (for tests); a valued one applies to
                            one device when written ID=VALUE, e.g. --sim-link-loss-ms sim-2=1500
  --help, -h                this text
`;

type Setter = (c: ServeConfig, value: string) => void;
const int =
  (name: string, min: number, max = Number.MAX_SAFE_INTEGER) => (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
      throw new UsageError(`${name} expects an integer between ${min} and ${max}, got "${value}"`);
    }
    return n;
  };
const real = (name: string, min: number, max: number) => (value: string): number => {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`${name} expects a number between ${min} and ${max}, got "${value}"`);
  }
  return n;
};

const VALUED: Record<string, Setter> = {
  ...MQTT_VALUED,
  "--host": (c, v) => void (c.host = nonEmpty("--host", v)),
  "--port": (c, v) => void (c.port = int("--port", 0, 65535)(v)),
  "--source": (c, v) => void c.sources.push(parseSource(v)),
  "--sim-devices": (c, v) => void (c.simDevices = int("--sim-devices", 1, 1000)(v)),
  "--retention-s": (c, v) => void (c.retentionS = int("--retention-s", 1, 3600)(v)),
  "--speed": (c, v) => void (c.speed = real("--speed", 0, 1e6)(v)),
  "--capture": (c, v) => void (c.capture = nonEmpty("--capture", v)),
  "--max-clients": (c, v) => void (c.maxClients = int("--max-clients", 1, 10_000)(v)),
  "--heartbeat-ms": (c, v) => void (c.heartbeatMs = int("--heartbeat-ms", 10)(v)),
  "--reconnect-base-ms": (c, v) => void (c.reconnectBaseMs = int("--reconnect-base-ms", 1)(v)),
  "--no-data-timeout-ms": (c, v) => void (c.noDataTimeoutMs = int("--no-data-timeout-ms", 50)(v)),
  "--client-buffer-bytes": (c, v) =>
    void (c.clientBufferBytes = int("--client-buffer-bytes", 1024)(v)),
  "--max-message-bytes": (c, v) =>
    void (c.maxMessageBytes = int("--max-message-bytes", 1024, 64 * 1024 * 1024)(v)),
  "--rate-limit": (c, v) => void (c.access.rateLimit = int("--rate-limit", 1, 100_000)(v)),
  "--allow-origin": (c, v) => void c.access.allowOrigins.push(nonEmpty("--allow-origin", v)),
  "--token": (c, v) => void (c.access.token = tokenValue("--token", v)),
  "--auth": (c, v) => void (c.access.authFile = nonEmpty("--auth", v)),
  "--tls-cert": (c, v) => void (c.access.tlsCert = nonEmpty("--tls-cert", v)),
  "--tls-key": (c, v) => void (c.access.tlsKey = nonEmpty("--tls-key", v)),
  "--recordings-dir": (c, v) => void (c.recordingsDir = nonEmpty("--recordings-dir", v)),
  "--record": (c, v) => void (c.record = formatList("--record", v)),
  "--device": (c, v) => void (c.device = nonEmpty("--device", v)),
  "--rfcomm-tty": (c, v) => setRfcommTty(c, v),
  "--scan-ms": (c, v) => void (c.scanMs = int("--scan-ms", 100)(v)),
  "--sim-seed": (c, v) =>
    setSimFlag(c, v, (sim, x) => void (sim.seed = int("--sim-seed", 0, 2 ** 32 - 1)(x))),
  "--sim-rate-hz": (c, v) =>
    setSimFlag(c, v, (sim, x) => void (sim.rateHz = real("--sim-rate-hz", 1, 1e6)(x))),
  "--sim-chunk-bytes": (c, v) =>
    setSimFlag(c, v, (sim, x) => void (sim.chunkBytes = int("--sim-chunk-bytes", 1, 1 << 20)(x))),
  "--sim-tick-ms": (c, v) =>
    setSimFlag(c, v, (sim, x) => void (sim.tickMs = int("--sim-tick-ms", 0, 1000)(x))),
  "--sim-battery": (c, v) =>
    setSimFlag(c, v, (sim, x) => void (sim.batteryLevel = int("--sim-battery", 0, 100)(x))),
  "--sim-activation-delay-ms": (c, v) =>
    setSimFlag(
      c,
      v,
      (sim, x) => void (sim.activationDelayMs = int("--sim-activation-delay-ms", 0)(x)),
    ),
  "--sim-fail-opens": (c, v) =>
    setSimFlag(c, v, (sim, x) => void (sim.failOpens = int("--sim-fail-opens", 0)(x))),
  "--sim-link-loss-ms": (c, v) =>
    setSimFlag(c, v, (sim, x) => void (sim.linkLossAfterMs = int("--sim-link-loss-ms", 1)(x))),
  "--sim-corruption": (c, v) =>
    setSimFlag(c, v, (sim, x) => void (sim.corruptionRate = real("--sim-corruption", 0, 1)(x))),
  "--sim-drop": (c, v) =>
    setSimFlag(c, v, (sim, x) => void (sim.dropRate = real("--sim-drop", 0, 1)(x))),
  "--sim-lead-off": (c, v) =>
    setSimFlag(c, v, (sim, x) => void (sim.leadOffChannels = channelList("--sim-lead-off", x))),
};
const SWITCHES: Record<string, (c: ServeConfig) => void> = {
  "--verbose": (c) => void (c.verbose = true),
  "-v": (c) => void (c.verbose = true),
  "--help": (c) => void (c.help = true),
  "-h": (c) => void (c.help = true),
  "--sim-unthrottled": (c) => void (c.sim.unthrottled = true),
  "--sim-fail-activation": (c) => void (c.sim.failActivation = true),
  "--sim-fail-rfcomm": (c) => void (c.sim.failRfcomm = true),
  "--no-auth": (c) => void (c.access.noAuth = true),
  "--autoconnect": (c) => void (c.autoconnect = true),
};

/**
 * Parses `args` (`--flag value` or `--flag=value`); throws UsageError on anything unknown or
 * malformed. `env` supplies MW75_TOKEN when `--token` is not given (and the MQTT credentials).
 */
export function parseServeArgs(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): ServeConfig {
  const c: ServeConfig = {
    host: "127.0.0.1",
    port: 8080,
    verbose: false,
    sources: [],
    simDevices: null,
    simByDevice: {},
    rfcommTtys: {},
    autoconnect: false,
    retentionS: 60,
    devices: [],
    speed: 1,
    capture: null,
    maxClients: 1,
    heartbeatMs: 30_000,
    reconnectBaseMs: 1000,
    noDataTimeoutMs: 1500,
    clientBufferBytes: 256 * 1024,
    maxMessageBytes: 64 * 1024,
    access: {
      allowOrigins: [],
      authFile: null,
      token: null,
      noAuth: false,
      tlsCert: null,
      tlsKey: null,
      rateLimit: 100,
    },
    recordingsDir: "./recordings",
    record: null,
    device: null,
    rfcommTty: "/dev/rfcomm0",
    scanMs: 4000,
    sim: {},
    mqtt: defaultMqtt(),
    help: false,
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const setValue = VALUED[name];
    const setSwitch = SWITCHES[name];
    if (setValue) {
      const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined) throw new UsageError(`${name} needs a value`);
      setValue(c, value);
    } else if (setSwitch && eq < 0) {
      setSwitch(c);
    } else {
      throw new UsageError(`unknown option "${arg}"`);
    }
  }
  c.devices = planDevices(c);
  if (c.speed !== 1 && !c.devices.some((d) => d.source.kind === "replay")) {
    throw new UsageError("--speed only applies to --source replay:FILE");
  }
  if (c.capture !== null && c.devices.length > 1) {
    throw new UsageError(
      '--capture saves one device\'s bytes: with several devices record each with --record raw (or start_recording formats ["raw"])',
    );
  }
  checkAccess(c, env);
  finishMqtt(c, env);
  return c;
}

/**
 * `--record` starts recordings nobody asked for interactively, so nobody would see a refusal: a
 * recordings directory it cannot write is a bad command line (exit 2), found before serving.
 */
export async function checkRecordingsDir(
  c: ServeConfig,
  store: Pick<RecordingStore, "probeWritable">,
): Promise<void> {
  if (c.record === null) return;
  try {
    await store.probeWritable();
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new UsageError(
      `--recordings-dir ${c.recordingsDir} is not writable, and --record ${
        c.record.join(",")
      } needs it: ${reason}`,
    );
  }
}

/** Loopback names and addresses: only processes on this machine can reach them. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function checkAccess(c: ServeConfig, env: Readonly<Record<string, string | undefined>>): void {
  const a = c.access;
  if (a.token === null && env["MW75_TOKEN"]) a.token = tokenValue("MW75_TOKEN", env["MW75_TOKEN"]);
  if ((a.tlsCert === null) !== (a.tlsKey === null)) {
    throw new UsageError("--tls-cert and --tls-key go together: give both files or neither");
  }
  const hasAuth = a.token !== null || a.authFile !== null;
  if (hasAuth && a.noAuth) throw new UsageError("--no-auth contradicts --token/--auth: choose one");
  if (!isLoopbackHost(c.host) && !hasAuth && !a.noAuth) {
    throw new UsageError(
      `--host ${c.host} is reachable from other machines, so anyone on the network could watch and control the headset. ` +
        "Add --token TOKEN (or --auth FILE) and preferably --tls-cert/--tls-key, or pass --no-auth to serve it open deliberately",
    );
  }
}

/** `bdf,csv` → ["bdf", "csv"]: distinct recording formats. */
function formatList(name: string, value: string): RecordingFormat[] {
  const formats = value.split(",").map((f) => f.trim().toLowerCase());
  for (const f of formats) {
    if (!(RECORDING_FORMATS as readonly string[]).includes(f)) {
      throw new UsageError(
        `${name} expects formats from ${RECORDING_FORMATS.join(", ")}, got "${f}"`,
      );
    }
  }
  if (new Set(formats).size !== formats.length) {
    throw new UsageError(`${name} lists a format twice: "${value}"`);
  }
  return formats as RecordingFormat[];
}

/** `3,7` → [3, 7]: distinct channel numbers 1–12. */
function channelList(name: string, value: string): number[] {
  const channels = value.split(",").map((part) => int(name, 1, 12)(part.trim()));
  if (new Set(channels).size !== channels.length) {
    throw new UsageError(`${name} lists a channel twice: "${value}"`);
  }
  return channels;
}

/** A token: at least 8 characters (a guessable token protects nothing); the message never repeats it. */
function tokenValue(name: string, value: string): string {
  if (value.length < 8) {
    throw new UsageError(`${name} must be at least 8 characters long (try: openssl rand -hex 24)`);
  }
  return value;
}

function nonEmpty(name: string, value: string): string {
  if (value === "") throw new UsageError(`${name} needs a non-empty value`);
  return value;
}
