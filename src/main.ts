/**
 * @module The runtime-neutral `serve` program: parse the CLI, build source → decoder → bridge → Hono app,
 * print the banner, shut down cleanly on SIGINT/SIGTERM. The entries (bun.ts, deno.ts, node.ts) only
 * pick the runtime adapter and the tty opener.
 */
import { readTlsFiles } from "./adapters/fs.ts";
import { readDecoderWasm } from "./adapters/wasm-file.ts";
import { buildAccess } from "./access-setup.ts";
import { createRecordingStore } from "./adapters/recording-store.ts";
import { recoverRecordings } from "./recording/recovery.ts";
import type { AccessGate } from "./server/access/gate.ts";
import { checkRecordingsDir, isLoopbackHost, parseServeArgs, USAGE, UsageError } from "./config.ts";
import type { ServeConfig } from "./config.ts";
import { systemClock } from "./core/clock.ts";
import { createLogHub, formatRecord, LEVEL_RANK } from "./core/log-hub.ts";
import type { LogHub } from "./core/log-hub.ts";
import type { OpenTty } from "./core/ports.ts";
import { buildFleet, checkSourceFiles } from "./devices-setup.ts";
import { VERSION } from "./protocol/version.ts";
import { createApp } from "./server/app.ts";
import type { Bridge } from "./server/bridge.ts";
import type { RunningServer, RuntimeAdapter } from "./server/runtime.ts";
import type { CapturingSource } from "./sources/capture.ts";
import type { RunningMqtt } from "./mqtt/setup.ts";

/** Per-runtime pieces the entry passes in besides the adapter. */
export interface EntryDeps {
  /** The runtime's RFCOMM tty opener (src/adapters/serial/<runtime>.ts). */
  openTty: OpenTty;
}

const SHUTDOWN_GRACE_MS = 1500;
/** A connection that has not completed its request (or WebSocket upgrade) by then is dropped. */
const REQUEST_TIMEOUT_MS = 10_000;

/** Runs the server until a shutdown signal; exits 2 on a bad command line, 1 on a start-up failure. */
export async function main(runtime: RuntimeAdapter, deps: EntryDeps): Promise<void> {
  let config: ServeConfig;
  try {
    config = parseServeArgs(runtime.args, runtime.env);
    if (!config.help) {
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
  let fleet: Bridge;
  try {
    const tls = await readTls(config);
    const access = await buildAccess(config);
    const recordingStore = createRecordingStore(config.recordingsDir);
    // a recording a crash left open is finished before anything new is written
    await recoverRecordings(recordingStore, logs.logger("mw75.recording"));
    const wasm = await WebAssembly.compile(await readDecoderWasm());
    const built = await buildFleet({
      config,
      openTty: deps.openTty,
      logs,
      runtimeName: runtime.name,
      wasm,
      gate: access.gate,
      recordingStore,
    });
    const f = (fleet = built.fleet);
    capture = built.capture;
    server = await runtime.serve({
      hostname: config.host,
      port: config.port,
      limits: { maxMessageBytes: config.maxMessageBytes, requestTimeoutMs: REQUEST_TIMEOUT_MS },
      ...(tls ? { tls } : {}),
      createApp: (upgradeWebSocket) =>
        createApp({
          fleet: f,
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
  let mqtt: RunningMqtt | null;
  try {
    mqtt = await startMqtt(config, fleet, logs, runtime.name);
  } catch (e) {
    runtime.stderr(
      `error: cannot start publishing to MQTT: ${e instanceof Error ? e.message : String(e)}\n`,
    );
    return runtime.exit(1);
  }
  runtime.stdout(
    banner(config, runtime.name, fleet, server.port) + (mqtt === null ? "" : `${mqtt.banner}\n`),
  );
  if (config.autoconnect) fleet.autoconnect();
  watchShutdown(runtime, logs, fleet, server, capture, mqtt);
}

/** `--mqtt`: mqtt.js is loaded only then. */
async function startMqtt(
  config: ServeConfig,
  fleet: Bridge,
  logs: LogHub,
  runtimeName: string,
): Promise<RunningMqtt | null> {
  const url = config.mqtt.url;
  if (url === null) return null;
  const { startMqtt: start } = await import("./mqtt/setup.ts");
  return start({
    flags: { ...config.mqtt, url },
    fleet,
    logs,
    clock: systemClock,
    info: { version: VERSION, runtime: runtimeName },
  });
}

/** The PEM text of --tls-cert/--tls-key (config guarantees both or neither), read before any device work. */
function readTls(config: ServeConfig): Promise<{ cert: string; key: string } | null> {
  const { tlsCert, tlsKey } = config.access;
  return tlsCert === null || tlsKey === null
    ? Promise.resolve(null)
    : readTlsFiles(tlsCert, tlsKey);
}

/** One line on who may connect, so a user sees at start-up what is exposed. */
function accessLine(config: ServeConfig, gate: AccessGate): string {
  const reach = isLoopbackHost(config.host) ? "loopback only" : `reachable on ${config.host}`;
  const auth = gate.authEnabled
    ? "tokens required to control (anonymous clients are read-only)"
    : "no tokens (every client may control)";
  const origins = config.access.allowOrigins.includes("*")
    ? "any origin"
    : "browser origins checked";
  return `access: ${reach}, ${origins}, ${auth}`;
}

function banner(config: ServeConfig, runtimeName: string, fleet: Bridge, port: number): string {
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  const source = fleet.default.source;
  const gate = fleet.default.gate;
  const [web, ws] = config.access.tlsCert !== null ? ["https", "wss"] : ["http", "ws"];
  const lines = [
    `MW75 bridge ${VERSION} on ${runtimeName}`,
    `source: ${source.description}`,
    source.synthetic
      ? "data: SYNTHETIC (simulator) - not from a headset"
      : `data: ${source.kind === "replay" ? "recorded capture (replay)" : "real MW75 headset"}`,
    `clients: ${
      config.maxClients === 1
        ? "single-client policy"
        : `up to ${config.maxClients} (controller + observers)`
    }`,
    accessLine(config, gate),
    `listening on ${web}://${host}:${port}`,
    `WebSocket: ${ws}://${host}:${port}/ (also /ws)   health: ${web}://${host}:${port}/health`,
  ];
  if (fleet.list().length > 1 || config.autoconnect) {
    // one line per device: its id, what it reads and its socket
    const devices = fleet.list().map((b) =>
      `  ${b.identity.id}: ${b.source.description}  ${ws}://${host}:${port}/devices/${b.identity.id}/ws`
    );
    lines.splice(
      3,
      0,
      `devices: ${fleet.list().length} (the first is the default on / and /ws)${
        config.autoconnect ? ", connected at start-up (--autoconnect)" : ""
      }`,
      ...devices,
    );
  }
  return `${lines.join("\n")}\n`;
}

function watchShutdown(
  runtime: RuntimeAdapter,
  logs: LogHub,
  fleet: Bridge,
  server: RunningServer,
  capture: CapturingSource | null,
  mqtt: RunningMqtt | null,
): void {
  const log = logs.logger("mw75.server");
  runtime.onShutdownSignal((signal) => {
    runtime.stdout(`${signal}: shutting down server...\n`);
    // whatever hangs (a peer that never acknowledges the close), the process still exits
    const force = setTimeout(() => runtime.exit(0), SHUTDOWN_GRACE_MS * 2);
    void (async () => {
      try {
        await fleet.shutdown();
        await mqtt?.close(); // after the devices' last states, so the broker has them too
        await capture?.close();
        await Promise.race([server.close(), new Promise((r) => setTimeout(r, SHUTDOWN_GRACE_MS))]);
      } catch (e) {
        log.log("ERROR", `Shutdown: ${e instanceof Error ? e.message : String(e)}`);
      }
      clearTimeout(force);
      runtime.stdout("Server shutdown complete\n");
      runtime.exit(0);
    })();
  });
}
