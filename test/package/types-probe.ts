/** @module Type-checked in the temporary project against the installed .d.ts: the "./decoder" entry's types resolve through the exports map, and misuse is an error. */
import {
  createDecoder,
  createDecodeStream,
  type DecodedBatch,
  type Decoder,
  PACKET_LEN,
} from "mw75-bridge/decoder";

const decoder: Decoder = await createDecoder();
const stream: TransformStream<Uint8Array, DecodedBatch> = decoder.transform();
const other: TransformStream<Uint8Array, DecodedBatch> = createDecodeStream(
  createDecoder(new Uint8Array(PACKET_LEN)),
);
for (const packet of decoder.push(new Uint8Array(0))) {
  const counter: number = packet.counter;
  if (packet.type === "eeg") console.log(counter, packet.channels[0], packet.leadOff.length);
}
// @ts-expect-error push takes bytes, not text
decoder.push("aa ef");
// @ts-expect-error createDecoder resolves to a Decoder, not to packets
const packets: DecodedBatch = await createDecoder();
// @ts-expect-error an event packet has no channels
decoder.push(new Uint8Array(0)).filter((p) => p.type === "event").map((p) => p.channels);
console.log(stream, other, packets);
