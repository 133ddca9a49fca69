/**
 * @module Resident memory each device's decoder adds, under the runtime that runs it
 * (`bun|deno run -A|node --import tsx bench/decoder-memory.ts [N]`): N instances of the
 * committed module, each fed 60 s of simulated packets in the simulator's 5-packet chunks.
 */
import { readFileSync } from "node:fs";
import { createDecoder } from "../src/decoder/mod.ts";
import { createPacketGenerator } from "../src/sources/signal.ts";
import { loadAverage } from "./machine-load.ts";

const N = Number(globalThis.process?.argv[2] ?? 200);
const CHUNKS = 6000; // 60 s at 500 Hz in 5-packet chunks: the framer's buffer is walked many times
const PACKETS_PER_CHUNK = 5;

function rssMb(): number {
  const status = readFileSync("/proc/self/status", "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";
const wasm = await WebAssembly.compile(
  readFileSync(new URL("../wasm/decoder.wasm", import.meta.url)),
);
const chunk = new Uint8Array(PACKETS_PER_CHUNK * 63);
const packets = createPacketGenerator(1, 0, 500);
const ignore = () => {};

const start = rssMb();
const decoders = [];
for (let i = 0; i < N; i++) decoders.push(await createDecoder(wasm));
const created = rssMb();
for (let k = 0; k < CHUNKS; k++) {
  packets.fill(chunk, 0, PACKETS_PER_CHUNK);
  for (const d of decoders) d.pushBatch(chunk, ignore);
}
const fed = rssMb();
const perDecoderKb = (mb: number) => ((mb - start) * 1024 / N).toFixed(0);
console.log(
  `${runtime}: ${N} decoders, ${perDecoderKb(created)} KB each when created, ` +
    `${perDecoderKb(fed)} KB each once fed (${
      (fed - start).toFixed(1)
    } MB in all); load ${loadAverage()}`,
);
