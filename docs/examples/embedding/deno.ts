/** @module Embedding example, Deno (`deno run --allow-read`): decodes a raw MW75 capture file (Deno.open().readable) and prints one JSON line per packet, then the stats. */
import { createDecoder } from "mw75-bridge/decoder"; // from JSR: "jsr:@mw75/bridge/decoder"

const decoder = await createDecoder(); // loads the decoder.wasm that ships in the package
const file = await Deno.open(Deno.args[0]!);

// the readable closes the file when it ends
for await (const packets of file.readable.pipeThrough(decoder.transform())) {
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
