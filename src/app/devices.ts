/**
 * @module Builds the bridge's devices from the resolved command line: one source, one decoder
 * instance (of one compiled WASM module) and one ServedDevice per device, in a Bridge whose discovery is
 * BlueZ when headsets are involved and the simulated headsets otherwise.
 */
import { createFileSink, readFileBytes } from "../adapters/fs.ts";
import type { DevicePlan, ServeConfig } from "./config.ts";
import type { DeviceIdentity } from "../core/device-registry.ts";
import type { LslHealth, MqttHealth, WsPushHealth } from "../protocol/health.ts";
import type { LogHub } from "../core/log-hub.ts";
import type { DevicePort } from "../ports/discovery.ts";
import type { DeviceSource } from "../ports/device-source.ts";
import type { OpenTty } from "../ports/tty.ts";
import { systemClock } from "../core/clock.ts";
import { createDecoder } from "../decoder/decoder.ts";
import { DEVICE_RATE_HZ } from "../core/samples.ts";
import type { RecordingStore } from "../ports/recording-store.ts";
import type { AccessGate } from "../server/access/gate.ts";
import { ServedDevice } from "../server/served-device.ts";
import { Bridge } from "../server/bridge.ts";
import { simDiscovery } from "../server/sim-discovery.ts";
import { DEFAULT_OUTBOX_LIMITS } from "../server/outbox.ts";
import { withCapture } from "../sources/capture.ts";
import type { CapturingSource } from "../sources/capture.ts";
import { createMw75Source } from "../mw75/source.ts";
import { nodeBleAdapterWatch, nodeBleBluez } from "../adapters/ble/port.ts";
import { createReplaySource } from "../sources/replay.ts";
import { createSimSource } from "../sources/sim.ts";

/** What every device shares. */
export interface BridgeSetup {
  config: ServeConfig;
  openTty: OpenTty;
  logs: LogHub;
  runtimeName: string;
  /** The decoder, compiled once; each device instantiates it. */
  wasm: WebAssembly.Module;
  gate: AccessGate;
  recordingStore: RecordingStore;
  /** `/health` `mqtt`: the MQTT publisher's figures, or null (no `--mqtt`, or not started yet). */
  mqttHealth?: () => MqttHealth | null;
  /** `/health` `lsl`: the LSL outlets' and inlets' figures, or null (no LSL, or not started yet). */
  lslHealth?: () => LslHealth | null;
  /** `/health` `ws_push`: the push targets, or null (no `--ws-push`, or not started yet). */
  wsPushHealth?: () => WsPushHealth[] | null;
}

/** The bridge, with the capture of the single device when `--capture` asked for one. */
export async function buildBridge(
  s: BridgeSetup,
): Promise<{ bridge: Bridge; capture: CapturingSource | null }> {
  const { config } = s;
  const headsets = config.devices.some((p) => p.identity.kind === "mw75");
  const anySim = config.devices.some((p) => p.identity.kind === "sim");
  const port = mw75Port(s);
  const bridge: Bridge = new Bridge({
    discovery: headsets || !anySim ? port : null,
    headsetTty: (address) => config.rfcommTtys[address] ?? (headsets ? null : config.rfcommTty),
    headsets: port,
    makeDevice: (identity, source) => makeDevice(s, identity, source, bridge),
    ...(headsets || !anySim
      ? {
        headsetName: (address: string) => nodeBleBluez.readName(address),
      }
      : {}),
    mqttHealth: s.mqttHealth,
    lslHealth: s.lslHealth,
    // only a bridge with a real headset source watches the adapter (docs/protocol/bridge-api.md §11):
    // a replay-only bridge could scan, but its /health says null and it keeps off the system bus
    adapter: headsets ? nodeBleAdapterWatch : null,
    wsPushHealth: s.wsPushHealth,
    log: s.logs.logger("mw75.server"),
  });
  let capture: CapturingSource | null = null;
  for (const plan of config.devices) {
    let source = sourceFor(s, plan, port);
    if (config.capture !== null) {
      const sink = createFileSink(config.capture);
      await sink.ready;
      source = capture = withCapture(source, sink);
    }
    bridge.add(
      await makeDevice(s, plan.identity, source, bridge),
      plan.identity.kind === "mw75" ? plan.rfcommTty : undefined,
    );
  }
  if (!headsets && anySim) bridge.useDiscovery(simDiscovery(bridge));
  return { bridge, capture };
}

async function makeDevice(
  s: BridgeSetup,
  identity: DeviceIdentity,
  source: DeviceSource,
  bridge: Bridge,
): Promise<ServedDevice> {
  const { config } = s;
  return new ServedDevice({
    source,
    decoder: await createDecoder(s.wasm),
    clock: systemClock,
    logs: s.logs,
    runtime: s.runtimeName,
    identity,
    scoped: config.devices.length > 1 || bridge.registry.size > 0,
    bridge,
    maxClients: config.maxClients,
    heartbeatMs: config.heartbeatMs,
    reconnectBaseMs: config.reconnectBaseMs,
    noDataTimeoutMs: config.noDataTimeoutMs,
    limits: { ...DEFAULT_OUTBOX_LIMITS, highWaterBytes: config.clientBufferBytes },
    ringSamples: config.retentionS * DEVICE_RATE_HZ,
    gate: s.gate,
    rateLimit: config.access.rateLimit,
    recordingStore: s.recordingStore,
    adapterStatus: bridge.adapterStatus,
    ...(config.record !== null ? { recordOnConnect: config.record } : {}),
  });
}

function sourceFor(s: BridgeSetup, plan: DevicePlan, port: DevicePort): DeviceSource {
  switch (plan.source.kind) {
    case "sim":
      return createSimSource(plan.sim);
    case "replay":
      return createReplaySource({
        path: plan.source.path,
        speed: s.config.speed,
        readFile: readFileBytes,
      });
    case "mw75":
      // an address-less headset is the first MW75 its activation finds
      return plan.identity.address === null
        ? headsetSource(s, null, plan.rfcommTty)
        : port.open(plan.identity.address, { rfcommTty: plan.rfcommTty });
  }
}

function headsetSource(s: BridgeSetup, address: string | null, rfcommTty: string): DeviceSource {
  return createMw75Source({
    rfcommTty,
    scanMs: s.config.scanMs,
    openTty: s.openTty,
    bluez: nodeBleBluez,
    ...(address !== null ? { device: address } : {}),
  });
}

/** The real MW75 as a port: BlueZ discovery (loaded on first use: node-ble stays unloaded on a bridge that never scans), opened by address. */
function mw75Port(s: BridgeSetup): DevicePort {
  return {
    list: (options) => nodeBleBluez.list(options),
    open: (address, { rfcommTty }) => headsetSource(s, address, rfcommTty),
  };
}
