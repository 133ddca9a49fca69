/**
 * @module The base `eeg` stream: every subscribed client of a device gets the same `eeg_data`
 * strings, encoded once per sample block (and not at all while nobody subscribes).
 */
import type { SampleBlock } from "../../core/samples.ts";
import { eegDataMessages } from "../../protocol/encoders/eeg-data.ts";
import { freshId } from "../../protocol/envelope.ts";
import type { Hub } from "../hub.ts";
import { ClientSet } from "./client-set.ts";

/** Subscribers of `eeg`. */
export class EegFanout extends ClientSet {
  #hub: Hub;

  constructor(hub: Hub) {
    super();
    this.#hub = hub;
  }

  onSamples(block: SampleBlock): void {
    if (this.size === 0) return;
    this.#hub.sendDataTo(this, eegDataMessages(block, freshId));
  }
}
