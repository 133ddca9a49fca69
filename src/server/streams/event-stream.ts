/**
 * @module The `events` stream: each device event is encoded once and sent to every subscriber.
 * Like every stream it obeys the bounded queue (a flapping electrode can produce hundreds of
 * events a second; a client that cannot keep up sheds them, counted, rather than being closed).
 */
import type { DeviceEvent } from "../../core/device-events.ts";
import { eventMessage } from "../../protocol/encoders/device-events.ts";
import type { Client, Hub } from "../hub.ts";

/** Subscribers of `events`. */
export class EventStream {
  #hub: Hub;
  #clients = new Set<Client>();

  constructor(hub: Hub) {
    this.#hub = hub;
  }

  add(client: Client): void {
    this.#clients.add(client);
  }

  remove(client: Client): void {
    this.#clients.delete(client);
  }

  onEvent(event: DeviceEvent): void {
    if (this.#clients.size === 0) return;
    this.#hub.sendDataTo(this.#clients, [eventMessage(event)]);
  }
}
