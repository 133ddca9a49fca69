/**
 * @module The resolved command line of `serve`: `parseServeArgs` stores the option table's
 * defaults (options.ts), then the arguments (read-args.ts), then the environment's values for
 * flags not given, and checks what only the whole command line shows (devices, access, MQTT).
 */
import type { RecordingFormat } from "../recording/types.ts";
import { parseSource, planDevices } from "./device-plan.ts";
import type { DeviceFlags, DevicePlan } from "./device-plan.ts";
import { checkMqttFlags } from "./mqtt-options.ts";
import type { MqttFlags } from "./mqtt-options.ts";
import { checkLslFlags, type LslFlags, unsetLsl } from "./lsl-options.ts";
import { type PushFlags, resolvePushTargets, unsetPush } from "./push-options.ts";
import { UsageError } from "./option-values.ts";
import { defaultOf, OPTIONS, usageText } from "./options.ts";
import { readArgs } from "./read-args.ts";

export { UsageError } from "./option-values.ts";
export type { DevicePlan, SourceSpec } from "./device-plan.ts";

/** Access control and transport security (docs/protocol/bridge-api.md §5). */
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
  /** `--session-ttl`: seconds a password login's session token lasts. */
  sessionTtlS: number;
  /** `--login-rate`: password logins per minute per address after a burst of half as many. */
  loginRate: number;
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
  /** Seconds of samples each device keeps for `since_seq` resume (docs/protocol/bridge-api.md §2.5: 60). */
  retentionS: number;
  /** `--autoconnect`: every device connected at start-up, auto-reconnecting, whoever is connected. */
  autoconnect: boolean;
  devices: DevicePlan[];
  /** `--mqtt URL` and friends (docs/protocol/bridge-api.md §7). */
  mqtt: MqttFlags;
  /** `--lsl`, `--lsl-markers QUERY` and friends (docs/protocol/bridge-api.md §10). */
  lsl: LslFlags;
  /** `--ws-push URL` and `--ws-push-token` (docs/protocol/bridge-api.md §11). */
  wsPush: PushFlags;
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
  // the variables come after the device checks, in the order those messages always had
  for (const o of OPTIONS) {
    const value = o.env === undefined ? undefined : env[o.env];
    if (value && !given.has(o.flag)) o.set(c, value, o.env!);
  }
  checkAccess(c);
  checkMqttFlags(c.mqtt, defaultOf("--mqtt-prefix"), c.lsl.enabled);
  checkLslFlags(c.lsl, given);
  resolvePushTargets(c.wsPush, c.devices.map((d) => d.identity.id));
  return c;
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
      sessionTtlS: NaN,
      loginRate: NaN,
    },
    recordingsDir: "",
    record: null,
    device: null,
    rfcommTty: "",
    scanMs: NaN,
    sim: {},
    mqtt: { url: null, username: null, password: null, prefix: "", bridgeId: null },
    lsl: unsetLsl(),
    wsPush: unsetPush(),
    help: false,
  };
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
