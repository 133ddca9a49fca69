/**
 * @module The `events` stream: each device event is encoded once and sent to every subscriber.
 * Like every stream it obeys the bounded queue (a flapping electrode can produce hundreds of
 * events a second; a client that cannot keep up sheds them, counted, rather than being closed).
 */
import type { DeviceEvent } from "../../core/device-events.ts";
import { eventMessage } from "../../protocol/encoders/device-events.ts";
import type { Hub } from "../hub.ts";
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
    this.#hub.sendDataTo(this, [eventMessage(event)]);
  }
}
