/** @module Embedding example, Bun: decodes a raw MW75 capture file (Bun.file().stream()) and prints one JSON line per packet, then the stats. */
import { createDecoder } from "mw75-bridge/decoder";

const decoder = await createDecoder(); // loads the decoder.wasm that ships in the package
const bytes = Bun.file(Bun.argv[2]!).stream();

for await (const packets of bytes.pipeThrough(decoder.transform())) {
  for (const p of packets) {
    const line = p.type === "eeg"
      ? {
        type: p.type,
        counter: p.counter,
        offset: p.offset,
        channels: p.channels,
        leadOff: p.leadOff,
      }
      : { type: p.type, eventId: p.eventId, counter: p.counter, offset: p.offset };
    console.log(JSON.stringify(line));
  }
}
console.log(JSON.stringify({ stats: decoder.stats() }));
