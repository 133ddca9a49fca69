/**
 * @module The `events` stream of a socket: a hub `events` subscriber; each device event is encoded
 * once per socket kind (per-device sockets carry device_id, `/` does not). Like every stream it
 * obeys the bounded queue: a flapping electrode can produce hundreds of events a second, and a
 * client that cannot keep up sheds them, counted, rather than being closed. The bridge's adapter
 * changes (`bluetooth_status`) join each socket's stream as they are, without device_id.
 */
import type { DeviceEvent } from "../../core/device-events.ts";
import type { DeviceHub } from "../../hub/device-hub.ts";
import type { Encoding, Subscription } from "../../hub/subscribers.ts";
import { eventMessage } from "../../protocol/encoders/device-events.ts";
import type { Client, ClientRegistry } from "../client-registry.ts";
import type { AdapterStatusEvents } from "../adapter-status.ts";

function encodingFor(deviceId: string | null): Encoding<DeviceEvent, string> {
  return {
    key: `events:${deviceId ?? ""}`,
    encode: (event) => eventMessage(event, deviceId ?? undefined),
  };
}

/** Subscribes `client` to `events`: its device's, and the adapter's when the bridge watches one. */
export function subscribeEvents(
  device: DeviceHub,
  clients: ClientRegistry,
  client: Client,
  adapter: AdapterStatusEvents | null = null,
): Subscription {
  const own = device.events({
    name: `socket ${client.remote}`,
    encoding: encodingFor(client.deviceId),
    onEvent: (_event, message) => clients.sendDataTo([client], [message]),
  });
  const bridgeWide = adapter?.subscribe((message) => clients.sendDataTo([client], [message]));
  return {
    close: () => {
      own.close();
      bridgeWide?.close();
    },
  };
}
