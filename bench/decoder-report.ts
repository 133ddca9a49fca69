/** @module Reads the JSON lines of many decoder-bench processes and prints medians, WASM/TS ratios and the targets. */
import { readFile } from "node:fs/promises";

interface Result {
  kind: "result";
  runtime: string;
  decoder: "wasm" | "ts" | "abi";
  variant: string;
  chunk: number;
  packets: number;
  packetsPerSec: number;
  mbPerSec: number;
}
interface Sanity {
  kind: "sanity";
  runtime: string;
  variant: string;
  chunk: number;
  agree: boolean;
  wasm: { packets: number; failures: number };
  ts: { packets: number; failures: number };
}

const RUNTIMES = ["bun", "deno", "node"];
const VARIANTS = ["clean", "damaged"];
const CHUNKS = [64, 4096];
// Issue #2: WASM on the clean stream, medians of 5 processes, in every runtime.
const TARGETS: Record<number, number> = { 4096: 30e6, 64: 12e6 };

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const chunkLabel = (c: number): string => (c >= 1024 ? `${c / 1024} KB` : `${c} B`);
const m = (v: number): string => (v / 1e6).toFixed(2).padStart(7);

const path = process.argv[2];
if (!path) {
  console.error("usage: decoder-report.ts RESULTS.jsonl");
  process.exit(2);
}
const lines = (await readFile(path, "utf8")).split("\n").filter((l) => l.startsWith("{"));
const records = lines.map((l) => JSON.parse(l) as Result | Sanity);
const results = records.filter((r): r is Result => r.kind === "result");
const sanity = records.filter((r): r is Sanity => r.kind === "sanity");
const values = records.filter((r) => (r as { kind: string }).kind === "values") as unknown as Array<
  { runtime: string; variant: string; agree: boolean }
>;

const pick = (rt: string, dec: string, variant: string, chunk: number) =>
  results.filter((r) =>
    r.runtime === rt && r.decoder === dec && r.variant === variant && r.chunk === chunk
  );

console.log("MW75 decoder benchmark: 1,000,000 packets (63 MB) per pass, f64 channel output");
console.log(
  "  clean = simulated EEG; damaged = 0xAA in every payload (REF bytes, feature status) + 1% packets with a flipped byte",
);
console.log(
  "  each process: 1 warm-up + 3 timed passes (median); figures below: median over processes\n",
);
console.log("runtime  variant  chunk   procs | WASM Mpkt/s   MB/s |  TS Mpkt/s   MB/s | WASM/TS");
const medianOf = new Map<string, number>();
for (const rt of RUNTIMES) {
  for (const variant of VARIANTS) {
    for (const chunk of CHUNKS) {
      const w = pick(rt, "wasm", variant, chunk);
      const t = pick(rt, "ts", variant, chunk);
      if (w.length === 0 || t.length === 0) continue;
      const wp = median(w.map((r) => r.packetsPerSec));
      const tp = median(t.map((r) => r.packetsPerSec));
      medianOf.set(`${rt}/${variant}/${chunk}`, wp);
      console.log(
        `${rt.padEnd(8)} ${variant.padEnd(8)} ${chunkLabel(chunk).padEnd(7)} ${
          String(w.length).padStart(5)
        } |` +
          `     ${m(wp)} ${median(w.map((r) => r.mbPerSec)).toFixed(0).padStart(6)} |` +
          `    ${m(tp)} ${median(t.map((r) => r.mbPerSec)).toFixed(0).padStart(6)} | ${
            (wp / tp).toFixed(2).padStart(6)
          }×`,
      );
    }
  }
}

console.log(
  "\nbinding overhead: the same WASM exports called bare (one cached memory view, no batch callback)",
);
for (const rt of RUNTIMES) {
  const cells = CHUNKS.map((chunk) => {
    const a = pick(rt, "abi", "clean", chunk);
    const w = medianOf.get(`${rt}/clean/${chunk}`);
    if (a.length === 0 || w === undefined) return null;
    const ap = median(a.map((r) => r.packetsPerSec));
    return `${chunkLabel(chunk)}: bare ${(ap / 1e6).toFixed(2)}M vs pushBatch ${
      (w / 1e6).toFixed(2)
    }M packets/s`;
  }).filter((c) => c !== null);
  if (cells.length) console.log(`  ${rt.padEnd(5)} clean  ${cells.join("; ")}`);
}

const disagreements = sanity.filter((s) => !s.agree);
console.log(
  `\nsanity: WASM and TS decoders agree on packet and checksum-failure counts in ${
    sanity.length - disagreements.length
  }/${sanity.length} cases` +
    (disagreements.length ? ` — MISMATCH: ${JSON.stringify(disagreements[0])}` : ""),
);

const valueMismatches = values.filter((v) => !v.agree);
console.log(
  `sanity: WASM and TS channel/REF/DRL/counter values identical (first 20k packets, 64-byte chunks) in ${
    values.length - valueMismatches.length
  }/${values.length} checks` +
    (valueMismatches.length
      ? ` — MISMATCH in ${valueMismatches.map((v) => `${v.runtime}/${v.variant}`).join(", ")}`
      : ""),
);

console.log("\ntargets (WASM, clean stream, median of processes):");
let allMet = true;
for (const rt of RUNTIMES) {
  for (const chunk of [4096, 64]) {
    const value = medianOf.get(`${rt}/clean/${chunk}`);
    const target = TARGETS[chunk]!;
    const met = value !== undefined && value >= target;
    allMet &&= met;
    console.log(
      `  ${rt.padEnd(5)} ${chunkLabel(chunk).padEnd(5)} ≥ ${
        (target / 1e6).toFixed(0)
      }M packets/s: ` +
        (value === undefined
          ? "not run"
          : `${(value / 1e6).toFixed(2)}M — ${met ? "met" : "not met"}`),
    );
  }
}
console.log(allMet ? "all decoder targets met" : "some decoder targets not met");
if (disagreements.length || valueMismatches.length) process.exit(1);
