/**
 * @module The `events` stream: each device event is encoded once and sent to every subscriber.
 * Like every stream it obeys the bounded queue (a flapping electrode can produce hundreds of
 * events a second; a client that cannot keep up sheds them, counted, rather than being closed).
 */
import type { DeviceEvent } from "../../core/device-events.ts";
import { eventMessage } from "../../protocol/encoders/device-events.ts";
import type { Client, Hub } from "../hub.ts";
import { ClientSet } from "./client-set.ts";

/** Subscribers of `events`. */
export class EventStream extends ClientSet {
  #hub: Hub;

  constructor(hub: Hub) {
    super();
    this.#hub = hub;
  }

  onEvent(event: DeviceEvent): void {
    if (this.size === 0) return;
    // one encoding per socket kind: per-device sockets carry device_id, `/` does not
    const byTag = new Map<string | null, Client[]>();
    for (const client of this) {
      const group = byTag.get(client.deviceId);
      if (group === undefined) byTag.set(client.deviceId, [client]);
      else group.push(client);
    }
    for (const [deviceId, clients] of byTag) {
      this.#hub.sendDataTo(clients, [eventMessage(event, deviceId ?? undefined)]);
    }
  }
}
