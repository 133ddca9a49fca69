/**
 * @module Wires a bridge's device to its recordings: the `recording` broadcast and event, the
 * RECORDING_FAILED error to every client, the logger, and the fixed facts of headers and metadata.
 */
import type { Clock } from "../core/clock.ts";
import type { Device } from "../core/device.ts";
import type { LogHub } from "../core/log-hub.ts";
import type { DeviceSource } from "../ports/device-source.ts";
import { envelope, errorMessage, freshId } from "../protocol/envelope.ts";
import { VERSION } from "../protocol/version.ts";
import type { AttachConsumer } from "../recording/attach.ts";
import { Recordings } from "../recording/recordings.ts";
import type { RecordingStore } from "../ports/recording-store.ts";
import type { RecordingFormat } from "../recording/types.ts";
import type { Hub } from "./hub.ts";

/** What `recordingsFor` wires a device's recordings to. */
export interface RecordingsWiring {
  device: Device;
  /** How the recordings reach the device's stream (see attachToDevice). */
  attach: AttachConsumer;
  hub: Hub;
  store: RecordingStore;
  clock: Clock;
  logs: LogHub;
  source: DeviceSource;
  labels(): { subject: string; session_label: string };
  recordOnConnect: RecordingFormat[] | undefined;
  /** Set for one of several devices (see RecordingsOptions.deviceId). */
  deviceId?: string;
  /** The device's address for the metadata, when known. */
  address?: string | null;
  /** The device's id for the metadata (every device has one; `deviceId` is set only with several). */
  identityId?: string;
}

/** The recordings of a bridge's device: `recording` broadcasts and events, RECORDING_FAILED errors. */
export function recordingsFor(w: RecordingsWiring): Recordings {
  const device = w.device;
  return new Recordings({
    attach: w.attach,
    device: {
      seqAt: (timeMs) => device.seqAt(timeMs),
      emit: (event) => device.emit(event),
      pendingBytes: () => device.session.pendingBytes(),
    },
    store: w.store,
    clock: w.clock,
    log: w.logs.logger(`mw75.recording${w.deviceId === undefined ? "" : `[${w.deviceId}]`}`),
    context: {
      deviceName: w.source.synthetic ? "simulated MW75 Neuro" : "MW75 Neuro",
      deviceAddress: w.address ?? null,
      ...(w.identityId !== undefined ? { deviceId: w.identityId } : {}),
      source: w.source.kind,
      synthetic: w.source.synthetic,
      bridgeVersion: VERSION,
    },
    labels: w.labels,
    ...(w.recordOnConnect !== undefined ? { recordOnConnect: w.recordOnConnect } : {}),
    ...(w.deviceId !== undefined ? { deviceId: w.deviceId } : {}),
    announce: (recording) => {
      w.hub.broadcast(envelope(freshId(), "recording", recording));
      w.device.emit({ type: "recording", atMs: w.clock.now(), recording });
    },
    failed: (message) =>
      w.hub.broadcast(errorMessage(freshId(), "RECORDING_FAILED", message, w.clock.now())),
  });
}

/** Until the hub's lossless `blocks` subscription takes its place: the recordings as a listener of the device. */
export function attachToDevice(device: Device): AttachConsumer {
  return (c) =>
    device.listen({
      onSamples: (block) => c.onBlock(block),
      onBytes: (bytes) => c.onBytes(bytes),
      onEvent: (event) => c.onEvent(event),
      pressure: () => c.pressure(),
    });
}
