/** @module One decoder benchmark process (Bun, Deno or Node): WASM vs TS decoder on fixed synthetic streams; prints JSON lines. */
import { readDecoderWasm } from "../src/adapters/wasm-file.ts";
import { createDecoder } from "../src/decoder/decoder.ts";
import { CHANNEL_COUNT, PACKET_LEN } from "../src/decoder/types.ts";
import { writePacket } from "../src/sources/packet-builder.ts";
import { createEegSignal, createPrng } from "../src/sources/signal.ts";
import { createTsDecoder } from "./ts-decoder.ts";

const PACKETS = 1_000_000;
const CYCLE = 2048; // a multiple of 256, so tiling keeps counters consecutive
const CHUNKS = [64, 4096] as const;
const TIMED_PASSES = 3;

const runtime = "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node";

/** 1M packets: a 2048-packet cycle of simulated EEG tiled; `aaInside` puts 0xAA bytes in every payload. */
function buildStream(aaInside: boolean): Uint8Array {
  const cycle = new Uint8Array(CYCLE * PACKET_LEN);
  const signal = createEegSignal(1, 500);
  // REF as f32 bits 0x3FAAAAAA (≈1.333) gives bytes AA AA AA 3F; feature status 0xAA adds a fourth
  const aaRef = new DataView(new Uint32Array([0x3faaaaaa]).buffer).getFloat32(0, true);
  for (let p = 0; p < CYCLE; p++) {
    const s = signal.next();
    writePacket(cycle, p * PACKET_LEN, {
      counter: p,
      ref: aaInside ? aaRef : s.ref,
      drl: s.drl,
      rawChannels: s.raw,
      featureStatus: aaInside ? 0xaa : 0,
    });
  }
  const out = new Uint8Array(PACKETS * PACKET_LEN);
  for (let at = 0; at < out.length; at += cycle.length) {
    out.set(cycle.subarray(0, Math.min(cycle.length, out.length - at)), at);
  }
  return out;
}

/** Flips one payload byte (offsets 4..60) in ~`rate` of the packets, with a fixed seed. */
function corrupt(stream: Uint8Array, rate: number): Uint8Array {
  const rand = createPrng(99);
  for (let p = 0; p < PACKETS; p++) {
    if (rand() < rate) {
      const at = p * PACKET_LEN + 4 + Math.floor(rand() * 57);
      stream[at] = stream[at]! ^ (1 + Math.floor(rand() * 255));
    }
  }
  return stream;
}

interface Feeder {
  name: "wasm" | "ts" | "abi";
  /** Feeds every chunk in order; returns packets decoded and checksum failures. */
  pass(chunks: Uint8Array[]): { packets: number; failures: number };
}

// A consumer that reads every batch so no engine can drop the work as dead code.
let sink = 0;

async function feeders(): Promise<Feeder[]> {
  const module = await WebAssembly.compile(await readDecoderWasm());
  const wasm = await createDecoder(module);
  const ts = createTsDecoder();
  const onBatch = (b: { count: number; channels: Float64Array }): void => {
    sink += b.count;
    if (b.count > 0) sink += b.channels[(b.count - 1) * CHANNEL_COUNT]!;
  };
  // The bare exports with one cached whole-memory view: what the binding's per-call work costs.
  const instance = await WebAssembly.instantiate(module, {});
  const abi = instance.exports as unknown as {
    memory: WebAssembly.Memory;
    reset(): void;
    input_ptr(): number;
    feed(len: number): number;
  };
  return [
    {
      name: "abi",
      pass(chunks) {
        abi.reset();
        const memory = new Uint8Array(abi.memory.buffer);
        let packets = 0;
        for (let i = 0; i < chunks.length; i++) {
          const chunk = chunks[i]!;
          memory.set(chunk, abi.input_ptr());
          packets += abi.feed(chunk.length);
        }
        return { packets, failures: -1 };
      },
    },
    {
      name: "wasm",
      pass(chunks) {
        wasm.reset();
        let packets = 0;
        for (let i = 0; i < chunks.length; i++) packets += wasm.pushBatch(chunks[i]!, onBatch);
        return { packets, failures: wasm.stats().checksumFailures };
      },
    },
    {
      name: "ts",
      pass(chunks) {
        ts.reset();
        let packets = 0;
        for (let i = 0; i < chunks.length; i++) packets += ts.push(chunks[i]!, onBatch);
        return { packets, failures: ts.stats().checksumFailures };
      },
    },
  ];
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Decodes the first 20k packets' bytes with both decoders (64-byte chunks) and compares every value exactly. */
async function valuesAgree(stream: Uint8Array): Promise<boolean> {
  const collect = (out: number[]) =>
  (
    b: {
      count: number;
      counter: Uint8Array;
      ref: Float64Array;
      drl: Float64Array;
      channels: Float64Array;
    },
  ): void => {
    for (let i = 0; i < b.count; i++) {
      out.push(b.counter[i]!, b.ref[i]!, b.drl[i]!);
      for (let c = 0; c < CHANNEL_COUNT; c++) out.push(b.channels[i * CHANNEL_COUNT + c]!);
    }
  };
  const part = stream.subarray(0, 20_000 * PACKET_LEN);
  const wasm = await createDecoder(await readDecoderWasm());
  const ts = createTsDecoder();
  const a: number[] = [];
  const b: number[] = [];
  for (let at = 0; at < part.length; at += 64) {
    wasm.pushBatch(part.subarray(at, at + 64), collect(a));
    ts.push(part.subarray(at, at + 64), collect(b));
  }
  return a.length > 0 && a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

async function main(): Promise<void> {
  const streams = { clean: buildStream(false), damaged: corrupt(buildStream(true), 0.01) };
  for (const [variant, stream] of Object.entries(streams)) {
    console.log(
      JSON.stringify({ kind: "values", runtime, variant, agree: await valuesAgree(stream) }),
    );
  }
  const list = await feeders();
  for (const [variant, stream] of Object.entries(streams)) {
    for (const chunk of CHUNKS) {
      // chunk views are made before timing: a transport hands the decoder ready-made chunks
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < stream.length; at += chunk) {
        chunks.push(stream.subarray(at, at + chunk));
      }
      const counts: Record<string, { packets: number; failures: number }> = {};
      for (const f of list) {
        counts[f.name] = f.pass(chunks); // warm-up pass, also the sanity sample
        const times: number[] = [];
        for (let i = 0; i < TIMED_PASSES; i++) {
          const t0 = performance.now();
          f.pass(chunks);
          times.push((performance.now() - t0) / 1000);
        }
        const seconds = median(times);
        const packets = counts[f.name]!.packets;
        console.log(JSON.stringify({
          kind: "result",
          runtime,
          decoder: f.name,
          variant,
          chunk,
          packets,
          failures: counts[f.name]!.failures,
          packetsPerSec: packets / seconds,
          mbPerSec: stream.length / seconds / 1e6,
        }));
      }
      const agree = counts.wasm!.packets === counts.ts!.packets &&
        counts.wasm!.failures === counts.ts!.failures &&
        counts.abi!.packets === counts.wasm!.packets;
      console.log(
        JSON.stringify({
          kind: "sanity",
          runtime,
          variant,
          chunk,
          agree,
          wasm: counts.wasm,
          ts: counts.ts,
        }),
      );
    }
  }
  if (sink === 42) console.log(""); // keeps `sink` observable
}

await main();
