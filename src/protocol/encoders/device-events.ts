/** @module `event` messages (docs/protocol/bridge-api.md §2.4) from typed device events. */
import type { DeviceEvent } from "../../core/device-events.ts";
import type { Marker } from "../../core/markers.ts";
import { envelope, freshId, recordingObject } from "../envelope.ts";
import type { EventData, MarkerObject } from "../messages.ts";

/** The `data` of an `event` message. */
export function eventData(event: DeviceEvent, deviceId?: string): EventData {
  const data = typedEventData(event, event.atMs / 1000);
  if (deviceId !== undefined) data.device_id = deviceId;
  return data;
}

function typedEventData(event: DeviceEvent, timestamp: number): EventData {
  switch (event.type) {
    case "state_change":
      return { event_type: event.type, timestamp, from_state: event.from, to_state: event.to };
    case "gap": {
      const g = event.gap;
      return {
        event_type: event.type,
        timestamp,
        seq: g.seq,
        expected_counter: g.expectedCounter,
        got_counter: g.gotCounter,
        missing: g.missing,
        estimated: g.estimated,
      };
    }
    case "lead_off":
      return {
        event_type: event.type,
        timestamp,
        seq: event.seq,
        channels_off: event.off,
        channels_on: event.on,
      };
    case "battery":
      return { event_type: event.type, timestamp, battery_level: event.level };
    case "marker":
      return {
        event_type: event.type,
        timestamp,
        seq: event.marker.seq,
        marker: markerData(event.marker),
      };
    case "recording":
      return { event_type: event.type, timestamp, recording: recordingObject(event.recording) };
  }
}

/** A marker as the wire shows it (the `marker` command's ack, POST /markers, the `marker` event). */
export function markerData(m: Marker): MarkerObject {
  const data: MarkerObject = {
    id: m.id,
    label: m.label,
    value: m.value,
    timestamp: m.timestamp,
    duration_s: m.durationS,
    seq: m.seq,
  };
  if (m.source !== null) data.source = m.source;
  return data;
}

/** The whole `event` envelope (fresh id). */
export function eventMessage(event: DeviceEvent, deviceId?: string): string {
  return envelope(freshId(), "event", eventData(event, deviceId));
}
