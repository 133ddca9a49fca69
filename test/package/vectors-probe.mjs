/** @module Runs in the temporary project under node, bun or deno: decodes every reference vector with the installed package's createDecoder() and writes what came out as JSON for the test to judge. */
import { readFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import { createDecoder } from "mw75-bridge/decoder";

const [vectorsDir, outFile] = process.argv.slice(2);
const read = (name) => JSON.parse(readFileSync(new URL(name, `file://${vectorsDir}/`), "utf8"));
// JSON has no NaN or Infinity and drops the sign of -0; spell those as the vectors do
const num = (x) => (Object.is(x, -0) ? "-0" : Number.isFinite(x) ? x : String(x));
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const bytesOf = (text) => Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));

const cases = [];
for (const { file } of read("index.json").files) {
  for (const vector of read(file).cases) {
    const decoder = await createDecoder(); // no argument: the package finds its own decoder.wasm
    const input = bytesOf(vector.input_hex);
    const emitted = [];
    let at = 0;
    vector.chunk_sizes.forEach((size, chunk) => {
      for (const p of decoder.push(input.subarray(at, at + size))) {
        emitted.push(
          p.type === "eeg"
            ? {
              type: p.type,
              chunk,
              offset: p.offset,
              counter: p.counter,
              featureStatus: p.featureStatus,
              ref: num(p.ref),
              drl: num(p.drl),
              channels: p.channels.map(num),
            }
            : {
              type: p.type,
              chunk,
              offset: p.offset,
              counter: p.counter,
              eventId: p.eventId,
              raw: hex(p.raw),
            },
        );
      }
      at += size;
    });
    cases.push({
      file,
      name: vector.name,
      emitted,
      residual: hex(decoder.residual()),
      stats: decoder.stats(),
    });
  }
}
const runtime = globalThis.Bun ? "bun" : globalThis.Deno ? "deno" : "node";
writeFileSync(outFile, JSON.stringify({ runtime, version: process.version, cases }));
