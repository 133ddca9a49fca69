/**
 * @module Wires a bridge's device to its recordings: the `recording` broadcast and event, the
 * RECORDING_FAILED error to every client, the logger, and the fixed facts of headers and metadata.
 */
import type { Clock } from "../core/clock.ts";
import type { Device } from "../core/device.ts";
import type { DeviceIdentity } from "../core/device-registry.ts";
import type { LogHub } from "../core/log-hub.ts";
import type { DeviceSource } from "../ports/device-source.ts";
import { envelope, errorMessage, freshId } from "../protocol/envelope.ts";
import { VERSION } from "../protocol/version.ts";
import type { RecordingStore } from "../ports/recording-store.ts";
import type { RecordingFormat } from "../recording/types.ts";
import type { DeviceHub } from "../hub/device-hub.ts";
import type { ClientRegistry } from "./client-registry.ts";
import { Recordings } from "../recording/recordings.ts";
import type { ServedDeviceOptions } from "./served-device-options.ts";

/** What `recordingsFor` wires a device's recordings to. */
export interface RecordingsWiring {
  device: Device;
  /** Where the recorder attaches: full-rate blocks and raw bytes (lossless), and events. */
  deviceHub: DeviceHub;
  clients: ClientRegistry;
  store: RecordingStore;
  clock: Clock;
  logs: LogHub;
  source: DeviceSource;
  labels(): { subject: string; session_label: string };
  recordOnConnect: RecordingFormat[] | undefined;
  /** Who the device is (its id and address go into the metadata). */
  identity: DeviceIdentity;
  /** One of several devices: default recording names start with its id (RecordingsOptions.deviceId). */
  scoped: boolean;
}

/** The recordings of a bridge's device: `recording` broadcasts and events, RECORDING_FAILED errors. */
export function recordingsFor(w: RecordingsWiring): Recordings {
  return new Recordings({
    device: {
      seqAt: (timeMs) => w.device.seqAt(timeMs),
      emit: (event) => w.device.emit(event),
      pendingBytes: () => w.device.session.pendingBytes(),
    },
    // the recorder is the one lossless subscriber: a recording's disk may slow the link reader
    attach: (consumer) => {
      const subs = [
        w.deviceHub.blocks({
          name: "recorder",
          delivery: { mode: "lossless", pressure: () => consumer.pressure() },
          onBlock: (block) => consumer.onBlock(block),
          onBytes: (bytes) => consumer.onBytes(bytes),
        }),
        // state changes (connection boundaries included) reach the recorder as events
        w.deviceHub.events({ name: "recorder", onEvent: (event) => consumer.onEvent(event) }),
      ];
      return () => subs.forEach((s) => s.close());
    },
    store: w.store,
    clock: w.clock,
    log: w.logs.logger(`mw75.recording${w.scoped ? `[${w.identity.id}]` : ""}`),
    context: {
      deviceName: w.source.synthetic ? "simulated MW75 Neuro" : "MW75 Neuro",
      deviceAddress: w.identity.address,
      deviceId: w.identity.id,
      source: w.source.kind,
      synthetic: w.source.synthetic,
      bridgeVersion: VERSION,
    },
    labels: w.labels,
    ...(w.recordOnConnect !== undefined ? { recordOnConnect: w.recordOnConnect } : {}),
    ...(w.scoped ? { deviceId: w.identity.id } : {}),
    announce: (recording) => {
      w.clients.broadcast(envelope(freshId(), "recording", recording));
      w.device.emit({ type: "recording", atMs: w.clock.now(), recording });
    },
    failed: (message) =>
      w.clients.broadcast(errorMessage(freshId(), "RECORDING_FAILED", message, w.clock.now())),
  });
}

/** The recordings of a served device, or null when it has no recordings directory. */
export function recordingsOf(
  o: ServedDeviceOptions,
  parts: Pick<RecordingsWiring, "device" | "deviceHub" | "clients" | "identity" | "labels">,
): Recordings | null {
  if (o.recordingStore === undefined) return null;
  return recordingsFor({
    ...parts,
    store: o.recordingStore,
    clock: o.clock,
    logs: o.logs,
    source: o.source,
    recordOnConnect: o.recordOnConnect,
    scoped: o.scoped === true,
  });
}
