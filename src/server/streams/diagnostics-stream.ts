/** @module The `diagnostics` stream of a socket: a hub `ticks` subscriber, a message every `interval_ms`, also while the device is idle. */
import type { DeviceHub } from "../../hub/device-hub.ts";
import type { Subscription } from "../../hub/subscribers.ts";
import { diagnosticsMessage } from "../../protocol/encoders/diagnostics.ts";
import type { Client, ClientRegistry } from "../client-registry.ts";

/** Starts a client's diagnostics. */
export function subscribeDiagnostics(
  device: DeviceHub,
  clients: ClientRegistry,
  client: Client,
  intervalMs: number,
): Subscription {
  return device.ticks({
    name: `socket ${client.remote}`,
    intervalMs,
    onTick: (f) => {
      const message = diagnosticsMessage({
        ...f,
        queueAgeMs: client.outbox.queueAgeMs(),
        bufferedBytes: client.outbox.bufferedBytes(),
        shed: client.outbox.shed,
        clients: clients.size,
        ...(client.deviceId === null ? {} : { deviceId: client.deviceId }),
      });
      // a stream message like the others: a client too slow for it sheds it rather than queueing
      clients.sendDataTo([client], [message]);
    },
  });
}
