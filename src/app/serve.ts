/**
 * @module The runtime-neutral `serve` program: parse the CLI, build source → decoder → bridge → Hono app,
 * print the banner, shut down cleanly on SIGINT/SIGTERM. The entries (bun.ts, deno.ts, node.ts) only
 * pick the runtime adapter and the tty opener.
 */
import { readTlsFiles } from "../adapters/fs.ts";
import { readDecoderWasm } from "../adapters/wasm-file.ts";
import { buildAccess, readAccess } from "./access.ts";
import type { AccessSetup } from "./access.ts";
import type { AccessFile } from "./access.ts";
import { createRecordingStore } from "../adapters/recording-store.ts";
import { recoverRecordings } from "../recording/recovery.ts";
import { parseServeArgs, USAGE, UsageError } from "./config.ts";
import { checkRecordingsDir, checkSourceFiles } from "./start-checks.ts";
import { banner } from "./banner.ts";
import { watchShutdown } from "./shutdown.ts";
import type { ServeConfig } from "./config.ts";
import { systemClock } from "../core/clock.ts";
import { createLogHub, formatRecord, LEVEL_RANK } from "../core/log-hub.ts";
import type { LogHub } from "../core/log-hub.ts";
import type { OpenTty } from "../ports/tty.ts";
import { buildBridge } from "./devices.ts";
import { VERSION } from "../protocol/version.ts";
import { createApp } from "../server/app.ts";
import type { Bridge } from "../server/bridge.ts";
import type { RunningServer, RuntimeAdapter } from "../ports/runtime.ts";
import type { CapturingSource } from "../sources/capture.ts";
import type { RunningMqtt } from "./mqtt-wiring.ts";
import type { RunningLsl } from "./lsl-wiring.ts";
import type { RunningPush } from "./push-wiring.ts";

/** Per-runtime pieces the entry passes in besides the adapter. */
export interface EntryDeps {
  /** The runtime's RFCOMM tty opener (src/adapters/serial/<runtime>.ts). */
  openTty: OpenTty;
}

/** A connection that has not completed its request (or WebSocket upgrade) by then is dropped. */
const REQUEST_TIMEOUT_MS = 10_000;

/** Runs the server until a shutdown signal; exits 2 on a bad command line, 1 on a start-up failure. */
export async function serve(runtime: RuntimeAdapter, deps: EntryDeps): Promise<void> {
  let config: ServeConfig;
  let accessFile: AccessFile;
  try {
    config = parseServeArgs(runtime.args, runtime.env);
    if (!config.help) {
      accessFile = await readAccess(config);
      await checkSourceFiles(config);
      await checkRecordingsDir(config, createRecordingStore(config.recordingsDir));
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    runtime.stderr(`error: ${e.message}\n\n${USAGE}`);
    return runtime.exit(2);
  }
  if (config.help) {
    runtime.stdout(USAGE);
    return runtime.exit(0);
  }
  const logs = createLogHub(systemClock.now);
  const minRank = LEVEL_RANK[config.verbose ? "DEBUG" : "INFO"];
  logs.subscribe((r) => {
    if (LEVEL_RANK[r.level] >= minRank) runtime.stderr(`${formatRecord(r)}\n`);
  });

  let capture: CapturingSource | null = null;
  let server: RunningServer;
  let bridge: Bridge;
  let mqtt: RunningMqtt | null = null;
  let lsl: RunningLsl | null = null;
  let push: RunningPush | null = null;
  let access: AccessSetup;
  try {
    const tls = await readTls(config);
    access = buildAccess(config, accessFile!, systemClock, logs.logger("mw75.access"));
    const recordingStore = createRecordingStore(config.recordingsDir);
    // a recording a crash left open is finished before anything new is written
    await recoverRecordings(recordingStore, logs.logger("mw75.recording"));
    const wasm = await WebAssembly.compile(await readDecoderWasm());
    const built = await buildBridge({
      config,
      openTty: deps.openTty,
      logs,
      runtimeName: runtime.name,
      wasm,
      gate: access.gate,
      recordingStore,
      mqttHealth: () => mqtt?.health() ?? null,
      lslHealth: () => lsl?.health() ?? null,
      wsPushHealth: () => push?.health() ?? null,
    });
    const f = (bridge = built.bridge);
    capture = built.capture;
    server = await runtime.serve({
      hostname: config.host,
      port: config.port,
      limits: { maxMessageBytes: config.maxMessageBytes, requestTimeoutMs: REQUEST_TIMEOUT_MS },
      ...(tls ? { tls } : {}),
      createApp: (upgradeWebSocket) =>
        createApp({
          bridge: f,
          upgradeWebSocket,
          socketOf: runtime.socketOf,
          remoteOf: runtime.remoteOf,
          hosts: access.hosts,
          recordingStore,
          rateLimit: config.access.rateLimit,
        }),
    });
  } catch (e) {
    runtime.stderr(`error: cannot start: ${e instanceof Error ? e.message : String(e)}\n`);
    return runtime.exit(1);
  }
  // the publisher listens before any device connects, so the broker sees every state from the first
  try {
    mqtt = await startMqtt(config, bridge, logs, runtime.name);
  } catch (e) {
    runtime.stderr(
      `error: cannot start publishing to MQTT: ${e instanceof Error ? e.message : String(e)}\n`,
    );
    return runtime.exit(1);
  }
  // the outlets open before any device connects, so their consumers get every sample from the first
  try {
    lsl = await startLsl(config, bridge, logs, runtime);
  } catch (e) {
    runtime.stderr(`error: cannot start LSL: ${e instanceof Error ? e.message : String(e)}\n`);
    return runtime.exit(1);
  }
  // subscribed before any device connects, so the remote gets every sample from the first
  try {
    push = await startPush(config, bridge, logs, runtime.name);
  } catch (e) {
    runtime.stderr(
      `error: cannot start --ws-push: ${e instanceof Error ? e.message : String(e)}\n`,
    );
    return runtime.exit(1);
  }
  runtime.stdout(
    banner(config, runtime.name, bridge, server.port) + (mqtt === null ? "" : `${mqtt.banner}\n`) +
      (lsl?.banner ?? "") + (push === null ? "" : pushBanner(config)),
  );
  if (config.autoconnect) bridge.autoconnect();
  watchShutdown(runtime, logs, bridge, server, capture, { mqtt, lsl, push, access });
}

/** `--mqtt`: mqtt.js is loaded only then. */
async function startMqtt(
  config: ServeConfig,
  bridge: Bridge,
  logs: LogHub,
  runtimeName: string,
): Promise<RunningMqtt | null> {
  const url = config.mqtt.url;
  if (url === null) return null;
  const { startMqtt: start } = await import("./mqtt-wiring.ts");
  return start({
    flags: { ...config.mqtt, url },
    bridge,
    logs,
    clock: systemClock,
    info: { version: VERSION, runtime: runtimeName },
  });
}

/** `--ws-push`: the push modules (and on Node the `ws` package) are loaded only then. */
async function startPush(
  config: ServeConfig,
  bridge: Bridge,
  logs: LogHub,
  runtime: RuntimeAdapter["name"],
): Promise<RunningPush | null> {
  if (config.wsPush.targets.length === 0) return null;
  const { startPush: start } = await import("./push-wiring.ts");
  return start({ targets: config.wsPush.targets, bridge, logs, clock: systemClock, runtime });
}

/** One line per push target (its URL as /health shows it: no credentials). */
function pushBanner(config: ServeConfig): string {
  return config.wsPush.targets.map((t) => `push: ${t.deviceId} -> ${t.shownUrl}\n`).join("");
}

/** `--lsl` / `--lsl-markers`: the LSL modules are loaded only then. */
async function startLsl(
  config: ServeConfig,
  bridge: Bridge,
  logs: LogHub,
  runtime: RuntimeAdapter,
): Promise<RunningLsl | null> {
  if (!config.lsl.enabled && config.lsl.markersQuery === null) return null;
  const { startLsl: start } = await import("./lsl-wiring.ts");
  const { lslTime } = await import("../lsl/clock.ts");
  return start({
    flags: config.lsl,
    bridgeId: config.mqtt.bridgeId,
    bridge,
    logs,
    clock: systemClock,
    time: lslTime(() => runtime.monotonicSeconds(), systemClock.now),
    version: VERSION,
  });
}

/** The PEM text of --tls-cert/--tls-key (config guarantees both or neither), read before any device work. */
function readTls(config: ServeConfig): Promise<{ cert: string; key: string } | null> {
  const { tlsCert, tlsKey } = config.access;
  return tlsCert === null || tlsKey === null
    ? Promise.resolve(null)
    : readTlsFiles(tlsCert, tlsKey);
}
