/**
 * @module The resolved command line of `serve`: `parseServeArgs` reads the arguments with
 * `node:util` `parseArgs` against the option table (options.ts), stores the table's defaults
 * first and the environment's values for flags not given, then checks what only the whole
 * command line shows (devices, access, MQTT).
 */
import { parseArgs } from "node:util";
import type { RecordingFormat } from "../recording/types.ts";
import type { RecordingStore } from "../recording/store.ts";
import { parseSource, planDevices } from "./device-plan.ts";
import type { DeviceFlags, DevicePlan } from "./device-plan.ts";
import { checkMqttFlags } from "./mqtt-options.ts";
import type { MqttFlags } from "./mqtt-options.ts";
import { UsageError } from "./option-values.ts";
import { defaultOf, optionNamed, OPTIONS, usageText } from "./options.ts";

export { UsageError } from "./option-values.ts";
export type { DevicePlan, SourceSpec } from "./device-plan.ts";

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

/** The `--help` text (and what follows a command-line error). */
export const USAGE: string = usageText();

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parses `args` (`--flag value` or `--flag=value`); throws UsageError on anything unknown or
 * malformed. `env` supplies the variables of the table (MW75_TOKEN, the MQTT credentials) for
 * flags the arguments do not give.
 */
export function parseServeArgs(args: readonly string[], env: Env = {}): ServeConfig {
  const c = unset();
  for (const o of OPTIONS) {
    if (o.default !== undefined && o.fallback === undefined) o.set(c, o.default, o.flag);
  }
  const given = readArgs(args, c);
  c.devices = planDevices(c, {
    source: parseSource(defaultOf("--source")),
    seed: Number(defaultOf("--sim-seed")),
  });
  if (
    c.speed !== Number(defaultOf("--speed")) && !c.devices.some((d) => d.source.kind === "replay")
  ) {
    throw new UsageError("--speed only applies to --source replay:FILE");
  }
  if (c.capture !== null && c.devices.length > 1) {
    throw new UsageError(
      '--capture saves one device\'s bytes: with several devices record each with --record raw (or start_recording formats ["raw"])',
    );
  }
  for (const o of OPTIONS) {
    const value = o.env === undefined ? undefined : env[o.env];
    if (value && !given.has(o.flag)) o.set(c, value, o.env!);
  }
  checkAccess(c);
  checkMqttFlags(c.mqtt, defaultOf("--mqtt-prefix"));
  return c;
}

/** Stores every argument through its option; returns the flags given. */
function readArgs(args: readonly string[], c: ServeConfig): Set<string> {
  const options = Object.fromEntries(OPTIONS.map((o) => [o.flag.slice(2), {
    type: o.value === undefined ? "boolean" as const : "string" as const,
    multiple: true,
    ...(o.short === undefined ? {} : { short: o.short }),
  }]));
  // not strict: each token is judged below, so the messages stay the ones users and tests know
  const { tokens } = parseArgs({
    args: [...args],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const given = new Set<string>();
  for (const t of tokens) {
    const arg = args[t.index]!;
    if (t.kind !== "option") throw new UsageError(`unknown option "${arg}"`);
    const o = optionNamed(t.rawName);
    // parseArgs splits `-vh` into `-v` and `-h` from one argument: this command line has no groups
    const written = t.inlineValue ? `${t.rawName}=${t.value}` : t.rawName;
    if (o === undefined || written !== arg || (o.value === undefined && t.value !== undefined)) {
      throw new UsageError(`unknown option "${arg}"`);
    }
    if (o.value !== undefined && t.value === undefined) {
      throw new UsageError(`${t.rawName} needs a value`);
    }
    o.set(c, t.value ?? "", t.rawName);
    given.add(o.flag);
  }
  return given;
}

/**
 * Every field as before any option: nothing given. The fields the table has a default for are
 * NaN or "" until those defaults are stored, so one the table forgot shows at once.
 */
function unset(): ServeConfig {
  return {
    host: "",
    port: NaN,
    verbose: false,
    sources: [],
    simDevices: null,
    simByDevice: {},
    rfcommTtys: {},
    autoconnect: false,
    retentionS: NaN,
    devices: [],
    speed: NaN,
    capture: null,
    maxClients: NaN,
    heartbeatMs: NaN,
    reconnectBaseMs: NaN,
    noDataTimeoutMs: NaN,
    clientBufferBytes: NaN,
    maxMessageBytes: NaN,
    access: {
      allowOrigins: [],
      authFile: null,
      token: null,
      noAuth: false,
      tlsCert: null,
      tlsKey: null,
      rateLimit: NaN,
    },
    recordingsDir: "",
    record: null,
    device: null,
    rfcommTty: "",
    scanMs: NaN,
    sim: {},
    mqtt: { url: null, username: null, password: null, prefix: "", bridgeId: null },
    help: false,
  };
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

function checkAccess(c: ServeConfig): void {
  const a = c.access;
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
