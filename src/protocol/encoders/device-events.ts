/** @module `event` messages (BRIDGE-API §2.4) from typed device events. */
import type { DeviceEvent } from "../../core/device-events.ts";
import type { Marker } from "../../core/markers.ts";
import { envelope, freshId } from "../envelope.ts";

/** The `data` of an `event` message. */
export function eventData(event: DeviceEvent, deviceId?: string): Record<string, unknown> {
  const base: Record<string, unknown> = { event_type: event.type, timestamp: event.atMs / 1000 };
  switch (event.type) {
    case "state_change":
      Object.assign(base, { from_state: event.from, to_state: event.to });
      break;
    case "gap": {
      const g = event.gap;
      Object.assign(base, {
        seq: g.seq,
        expected_counter: g.expectedCounter,
        got_counter: g.gotCounter,
        missing: g.missing,
        estimated: g.estimated,
      });
      break;
    }
    case "lead_off":
      Object.assign(base, { seq: event.seq, channels_off: event.off, channels_on: event.on });
      break;
    case "battery":
      base["battery_level"] = event.level;
      break;
    case "marker":
      Object.assign(base, { seq: event.marker.seq, marker: markerData(event.marker) });
      break;
    case "recording":
      base["recording"] = event.recording;
      break;
  }
  if (deviceId !== undefined) base["device_id"] = deviceId;
  return base;
}

/** A marker as the wire shows it (the `marker` command's ack, POST /markers, the `marker` event). */
export function markerData(m: Marker): Record<string, unknown> {
  return {
    id: m.id,
    label: m.label,
    value: m.value,
    timestamp: m.timestamp,
    duration_s: m.durationS,
    seq: m.seq,
  };
}

/** The whole `event` envelope (fresh id). */
export function eventMessage(event: DeviceEvent, deviceId?: string): string {
  return envelope(freshId(), "event", eventData(event, deviceId));
}
