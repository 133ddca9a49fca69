/**
 * @module The base `eeg` stream of a socket: a hub `blocks` subscriber whose `eeg_data` strings
 * are encoded once per sample block for every subscribed socket (and not at all while none is).
 */
import type { SampleBlock } from "../../core/samples.ts";
import type { DeviceHub } from "../../hub/device-hub.ts";
import { SHED } from "../../hub/subscribers.ts";
import type { Encoding, Subscription } from "../../hub/subscribers.ts";
import { eegDataMessages } from "../../protocol/encoders/eeg-data.ts";
import { freshId } from "../../protocol/envelope.ts";
import type { Client, ClientRegistry } from "../client-registry.ts";

/** The one encoding of `eeg_data`: sockets and push targets share each block's strings. */
export const EEG_DATA: Encoding<SampleBlock, readonly string[]> = {
  key: "eeg_data",
  encode: (block) => eegDataMessages(block, freshId),
};

/** Subscribes `client` to `eeg_data`. */
export function subscribeEeg(
  device: DeviceHub,
  clients: ClientRegistry,
  client: Client,
): Subscription {
  return device.blocks({
    name: `socket ${client.remote}`,
    delivery: SHED,
    encoding: EEG_DATA,
    onBlock: (_block, messages) => clients.sendDataTo([client], messages),
  });
}
