/**
 * @module The `events` stream of a socket: a hub `events` subscriber; each device event is encoded
 * once per socket kind (per-device sockets carry device_id, `/` does not). Like every stream it
 * obeys the bounded queue: a flapping electrode can produce hundreds of events a second, and a
 * client that cannot keep up sheds them, counted, rather than being closed.
 */
import type { DeviceEvent } from "../../core/device-events.ts";
import type { DeviceHub } from "../../hub/device-hub.ts";
import type { Encoding, Subscription } from "../../hub/subscribers.ts";
import { eventMessage } from "../../protocol/encoders/device-events.ts";
import type { Client, ClientRegistry } from "../client-registry.ts";

function encodingFor(deviceId: string | null): Encoding<DeviceEvent, string> {
  return {
    key: `events:${deviceId ?? ""}`,
    encode: (event) => eventMessage(event, deviceId ?? undefined),
  };
}

/** Subscribes `client` to `events`. */
export function subscribeEvents(
  device: DeviceHub,
  clients: ClientRegistry,
  client: Client,
): Subscription {
  return device.events({
    name: `socket ${client.remote}`,
    encoding: encodingFor(client.deviceId),
    onEvent: (_event, message) => clients.sendDataTo([client], [message]),
  });
}
