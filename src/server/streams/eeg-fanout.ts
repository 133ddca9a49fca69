/**
 * @module The base `eeg` stream: every subscribed client of a device gets the same `eeg_data`
 * strings, encoded once per sample block (and not at all while nobody subscribes).
 */
import type { SampleBlock } from "../../core/samples.ts";
import { eegDataMessages } from "../../protocol/encoders/eeg-data.ts";
import { freshId } from "../../protocol/envelope.ts";
import type { Client, Hub } from "../hub.ts";

/** Subscribers of `eeg` in subscription order. */
export class EegFanout {
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

  onSamples(block: SampleBlock): void {
    if (this.#clients.size === 0) return;
    this.#hub.sendDataTo(this.#clients, eegDataMessages(block, freshId));
  }
}
