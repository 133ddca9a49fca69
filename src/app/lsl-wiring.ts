/**
 * @module The glue of LSL (docs/protocol/bridge-api.md §10): each device's two outlets fed by its hub taps (withdrawn
 * when `remove_device` removes it, §11), and the marker inlet placing what it reads on every device. Loaded by app/serve.ts only with `--lsl`/`--lsl-markers`.
 */
import { hostname } from "node:os";
import type { Clock } from "../core/clock.ts";
import type { DeviceEvent } from "../core/device-events.ts";
import type { LogHub } from "../core/log-hub.ts";
import type { LslHealth, LslOutletHealth } from "../protocol/health.ts";
import type { Bridge } from "../server/bridge.ts";
import type { ServedDevice } from "../server/served-device.ts";
import type { LslTime } from "../lsl/clock.ts";
import {
  type DeviceFacts,
  EegChunker,
  eegDescription,
  isBridgeMarkerOutlet,
  markerDescription,
} from "../lsl/device-streams.ts";
import { LslOutlets } from "../lsl/outlet/outlets.ts";
import type { Outlet } from "../lsl/outlet/outlets.ts";
import { MarkerInlet } from "../lsl/inlet/marker-inlet.ts";
import { InletMarkers } from "./lsl-markers.ts";
import type { LslFlags } from "./lsl-options.ts";
import { runtimeDirectWrite } from "../adapters/runtime/direct-write.ts";

/** What app/serve.ts hands over. */
export interface LslStart {
  flags: LslFlags;
  /** `--bridge-id`, or null for the host name. */
  bridgeId: string | null;
  bridge: Bridge;
  logs: LogHub;
  clock: Clock;
  time: LslTime;
  version: string;
}

/** The running LSL side as app/serve.ts sees it. */
export interface RunningLsl {
  /** Lines for the start-up banner. */
  readonly banner: string;
  health(): LslHealth;
  /** Stops reading markers (before the devices shut down, so none lands on a closing recording). */
  stopInlet(): Promise<void>;
  /** Withdraws the outlets and closes every socket: a restarted bridge takes the same ports. */
  close(): Promise<void>;
}

/** A device's two outlets and the hub subscriptions feeding them. */
interface DeviceOutlets {
  deviceId: string;
  /** The device they belong to: a removal withdraws its own outlets, never those of a later device of that id. */
  device: ServedDevice;
  eeg: Outlet;
  markers: Outlet;
  close(): Promise<void>;
}

/** Opens the outlets of every device (and of devices added later) and starts the marker inlet. */
export async function startLsl(s: LslStart): Promise<RunningLsl> {
  const log = s.logs.logger("mw75.lsl");
  const host = hostNameOr("localhost");
  const bridgeId = s.bridgeId ?? host;
  const { scope, sessionId } = s.flags;
  // the responder takes 16571 only when there are outlets to announce: a bridge that only reads
  // markers leaves the port's unicasts to the programs whose streams it wants to find
  const outlets = s.flags.enabled
    ? await LslOutlets.start({
      scope,
      sessionId,
      hostname: host,
      time: s.time,
      clock: s.clock,
      log,
      directWrite: runtimeDirectWrite(),
    })
    : null;
  const byDevice = new Map<string, DeviceOutlets>();
  const open = async (device: ServedDevice) => {
    try {
      const d = await openDevice(device, s, bridgeId, outlets!);
      // a device of that id whose outlets were never withdrawn: they go now, not never
      const stale = byDevice.get(d.deviceId);
      byDevice.set(d.deviceId, d);
      await stale?.close();
      log.log(
        "INFO",
        `LSL outlets ${d.eeg.info.name} and ${d.markers.info.name} open (${scope} scope)`,
      );
    } catch (e) {
      log.log(
        "ERROR",
        `LSL outlets of ${device.identity.id}: ${e instanceof Error ? e.message : e}`,
      );
    }
  };
  /** Outlets still opening for a device added at run time: its removal waits for them. */
  const opening = new Map<ServedDevice, Promise<void>>();
  if (s.flags.enabled) {
    for (const device of s.bridge.list()) await open(device);
    s.bridge.onAdded((device) => {
      opening.set(device, open(device).finally(() => opening.delete(device)));
    });
    // withdrawn: no more discovery answers, its consumers' connections closed
    s.bridge.onRemoved(async (device) => {
      await opening.get(device);
      const id = device.identity.id;
      const d = byDevice.get(id);
      if (d === undefined || d.device !== device) return;
      byDevice.delete(id);
      await d.close();
      log.log("INFO", `LSL outlets of ${id} withdrawn`);
    });
  }
  const placing = new InletMarkers(s.bridge, log);
  const inlet = s.flags.markersQuery === null ? null : MarkerInlet.start({
    query: s.flags.markersQuery,
    scope,
    sessionId,
    knownPeers: s.flags.knownPeers,
    time: s.time,
    clock: s.clock,
    log,
    ownUids: () => outlets?.uids() ?? new Set<string>(),
    ignore: isBridgeMarkerOutlet,
    onMarker: (m) => placing.place(m, s.clock.now()),
  });
  const names = [...byDevice.values()].flatMap((d) => [d.eeg.info.name, d.markers.info.name]);
  const lines = [
    ...(s.flags.enabled
      ? [
        `LSL: outlets ${names.join(", ")} (${scope} scope, session ${sessionId})`,
        `LSL: no authentication: anyone within the ${scope} scope can read these streams`,
      ]
      : []),
    ...(inlet === null ? [] : [`LSL: reading marker streams matching ${s.flags.markersQuery}`]),
  ];
  return {
    banner: lines.map((l) => `${l}\n`).join(""),
    health: () => {
      const figures = outlets?.figures() ?? null;
      const rows: LslOutletHealth[] = [...byDevice.values()].flatMap((d) =>
        [d.eeg, d.markers].map((o) => ({ device_id: d.deviceId, ...o.figures() }))
      );
      return {
        scope,
        session_id: sessionId,
        outlets: rows,
        inlets: inlet?.figures() ?? [],
        discovery: figures?.discovery ?? null,
        sessions: figures?.sessions ?? null,
      };
    },
    stopInlet: async () => await inlet?.close(),
    close: async () => {
      await inlet?.close();
      await Promise.all([...byDevice.values()].map((d) => d.close()));
      await outlets?.close();
    },
  };
}

async function openDevice(
  device: ServedDevice,
  s: LslStart,
  bridgeId: string,
  outlets: LslOutlets,
): Promise<DeviceOutlets> {
  const facts: DeviceFacts = {
    deviceId: device.identity.id,
    isDefault: device === s.bridge.default,
    address: device.identity.address,
    synthetic: device.source.synthetic,
    bridgeId,
    version: s.version,
  };
  const eeg = await outlets.open(eegDescription(s.flags.name, facts));
  const markers = await outlets.open(markerDescription(s.flags.name, facts));
  const chunker = new EegChunker(s.time);
  const blocks = device.taps.blocks("lsl", (block) => {
    const { values, timestamps } = chunker.chunk(block);
    eeg.pushChunk(values, timestamps);
  });
  const events = device.taps.events("lsl", (event: DeviceEvent) => {
    if (event.type === "marker") {
      markers.pushString(event.marker.label, s.time.fromUnix(event.marker.timestamp));
    }
  });
  return {
    deviceId: facts.deviceId,
    device,
    eeg,
    markers,
    close: async () => {
      blocks.close();
      events.close();
      await Promise.all([eeg.close(), markers.close()]);
    },
  };
}

/** The host name; a runtime that may not read it (Deno without --allow-sys) gets `fallback`. */
function hostNameOr(fallback: string): string {
  try {
    return hostname();
  } catch {
    return fallback;
  }
}
