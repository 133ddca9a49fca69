/**
 * @module What a ServedDevice is built from — the device's source and decoder, timings, limits, access,
 * recordings and its place among several devices — and the parts built straight from it: the
 * identity, the device, the client registry.
 */
import type { Clock } from "../core/clock.ts";
import { Device } from "../core/device.ts";
import type { Logger } from "../ports/logger.ts";
import { envelope, freshId, toSeconds } from "../protocol/envelope.ts";
import { ClientRegistry } from "./client-registry.ts";
import type { Client } from "./client-registry.ts";
import { DEFAULT_OUTBOX_LIMITS } from "./outbox.ts";
import type { DeviceIdentity } from "../core/device-registry.ts";
import type { LogHub } from "../core/log-hub.ts";
import type { DeviceSource } from "../ports/device-source.ts";
import type { Decoder } from "../decoder/types.ts";
import type { RecordingStore } from "../ports/recording-store.ts";
import type { RecordingFormat } from "../recording/types.ts";
import type { AccessGate } from "./access/gate.ts";
import type { BridgeCommands } from "./device-commands.ts";
import type { OutboxLimits } from "./outbox.ts";
import type { AdapterStatusEvents } from "./adapter-status.ts";

/** Everything the bridge needs; timings are overridable for tests. */
export interface ServedDeviceOptions {
  source: DeviceSource;
  decoder: Decoder;
  clock: Clock;
  logs: LogHub;
  /** "bun", "deno" or "node" (reported by /health). */
  runtime: string;
  maxClients?: number;
  heartbeatMs?: number;
  reconnectBaseMs?: number;
  noDataTimeoutMs?: number;
  limits?: OutboxLimits;
  /** Samples the device keeps for resume (default 60 s). */
  ringSamples?: number;
  /** Tokens and roles; absent = auth off (every client may do everything). */
  gate?: AccessGate;
  /** Inbound messages per second per client (burst 2×); absent = no limit. */
  rateLimit?: number;
  /** Where recordings go; absent = the recording commands answer RECORDING_FAILED. */
  recordingStore?: RecordingStore;
  /** `--record`: start a recording in these formats at the first `connected`. */
  recordOnConnect?: RecordingFormat[];
  /** Who the device is (default: `<source kind>-1`). */
  identity?: DeviceIdentity;
  /**
   * One of several devices: its loggers, logs forwarded and default recording names carry its id,
   * so a client of one device never sees another's.
   */
  scoped?: boolean;
  /** The bridge's devices, for list_devices / scan_devices / connect_device (default: this one alone). */
  bridge?: BridgeCommands;
  /** The bridge's adapter changes, sent to this device's `events` subscribers too (absent: none). */
  adapterStatus?: AdapterStatusEvents | null;
}

/** Loggers that belong to one device (the others are the server's). */
export const DEVICE_LOGGER = /^mw75\.(session|source|recording|server)\b.*\[/;

/** Raw frame payload as the WebSocket layer delivers it. */
export type Frame = string | ArrayBuffer | ArrayBufferView;

/** The kind of a source (`sim` for anything unknown). */
export function kindOf(kind: string): DeviceIdentity["kind"] {
  return kind === "replay" || kind === "mw75" ? kind : "sim";
}

/** The device's identity: given, or `<source kind>-1`. */
export function identityOf(o: ServedDeviceOptions): DeviceIdentity {
  return o.identity ?? {
    id: `${o.source.kind}-1`,
    kind: kindOf(o.source.kind),
    name: o.source.description,
    address: null,
  };
}

/** The device of a bridge, its loggers named by `logger`. */
export function deviceFor(o: ServedDeviceOptions, logger: (name: string) => Logger): Device {
  return new Device({
    source: o.source,
    decoder: o.decoder,
    clock: o.clock,
    log: logger("mw75.session"),
    sourceLog: logger(`mw75.source.${o.source.kind}`),
    ...(o.reconnectBaseMs !== undefined ? { reconnectBaseMs: o.reconnectBaseMs } : {}),
    ...(o.noDataTimeoutMs !== undefined ? { noDataTimeoutMs: o.noDataTimeoutMs } : {}),
    ...(o.ringSamples !== undefined ? { ringSamples: o.ringSamples } : {}),
  });
}

/** The client registry of a bridge: heartbeats carry the battery level; `onOverflow` hears of a client closed for lagging. */
export function clientsFor(
  o: ServedDeviceOptions,
  batteryLevel: () => number | null,
  onOverflow: (client: Client) => void,
): ClientRegistry {
  const clock = o.clock;
  return new ClientRegistry({
    clock,
    maxClients: Math.max(1, o.maxClients ?? 1),
    heartbeatMs: o.heartbeatMs ?? 30_000,
    limits: o.limits ?? DEFAULT_OUTBOX_LIMITS,
    heartbeat: () =>
      envelope(freshId(), "heartbeat", {
        timestamp: toSeconds(clock.now()),
        battery_level: batteryLevel(),
      }),
    onOverflow,
  });
}
