/** @module Embedding example, browser: the headset's RFCOMM byte stream through Web Serial into the decoder's transform. readHeadset takes any byte stream, which is how the test feeds it a capture. */
import { createDecoder } from "mw75-bridge/decoder";

// the standard Serial Port Profile class and the MW75's vendor one (docs/protocol/mw75.md §1.1); Chrome lists
// Bluetooth RFCOMM ports only for service classes the page names
const SPP_CLASSES = [
  "00001101-0000-1000-8000-00805f9b34fb",
  "00001101-d102-11e1-9b23-00025b00a5a5",
];

/** Decodes `readable` until it ends, calling `onPacket` for each packet; resolves with the decoder's stats. */
export async function readHeadset(readable, onPacket) {
  const decoder = await createDecoder(); // fetches the decoder.wasm next to the package's files
  const reader = readable.pipeThrough(decoder.transform()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return decoder.stats();
    for (const packet of value) onPacket(packet);
  }
}

/** Lets the user pick the paired headset's serial port, then decodes until the port closes. */
export async function connectHeadset(onPacket) {
  const port = await navigator.serial.requestPort({ allowedBluetoothServiceClassIds: SPP_CLASSES });
  await port.open({ baudRate: 115200 }); // RFCOMM ignores the rate, but open() requires one
  try {
    return await readHeadset(port.readable, onPacket);
  } finally {
    await port.close();
  }
}
