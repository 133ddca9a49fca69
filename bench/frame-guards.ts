/**
 * @module Cost of the inbound nesting pre-scan against the JSON.parse it guards, per frame kind
 * (`bun|deno run|node --import tsx bench/frame-guards.ts`): medians of 7 timed batches.
 */
import { MAX_NESTING, nestsDeeperThan } from "../src/protocol/frame-limits.ts";

const frames: Array<[string, string]> = [
  [
    "connect (60 B)",
    JSON.stringify({
      id: "req-1",
      type: "connect",
      data: { auto_reconnect: true, log_level: "INFO" },
    }),
  ],
  [
    "broadcast, 1 KB of data",
    JSON.stringify({
      id: "b",
      type: "broadcast",
      data: { values: Array.from({ length: 150 }, (_, i) => i * 1.5) },
    }),
  ],
  [
    "broadcast, 60 KB string",
    JSON.stringify({ id: "b", type: "broadcast", data: { note: "n".repeat(60_000) } }),
  ],
  [
    "broadcast, 60 KB of numbers",
    JSON.stringify({
      id: "b",
      type: "broadcast",
      data: Array.from({ length: 9000 }, (_, i) => i / 7),
    }),
  ],
  [
    "broadcast, 2000 small objects (30 KB)",
    JSON.stringify({
      id: "b",
      type: "broadcast",
      data: Array.from({ length: 2000 }, (_, i) => ({ k: i % 10, v: "x" })),
    }),
  ],
  [
    "ping, id 30k levels deep (60 KB)",
    `{"id":${"[".repeat(30_000)}${"]".repeat(30_000)},"type":"ping"}`,
  ],
];

/** Median ns per call of `fn` over 7 batches sized to ~20 ms each. */
function nsPerCall(fn: () => unknown): number {
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    if (performance.now() - t0 > 20) break;
    n *= 2;
  }
  const runs: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    runs.push(((performance.now() - t0) * 1e6) / n);
  }
  return runs.sort((a, b) => a - b)[3]!;
}

const runtime = "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node";
console.log(
  `frame guards on ${runtime}: pre-scan (limit ${MAX_NESTING}) vs JSON.parse, median ns per frame`,
);
let sink = 0;
for (const [name, text] of frames) {
  const scan = nsPerCall(() => (sink += nestsDeeperThan(text, MAX_NESTING) ? 1 : 0));
  const deep = nestsDeeperThan(text, MAX_NESTING);
  // the deep frame is never parsed by the server; its parse time shows what the scan saves
  const parse = nsPerCall(() => (sink += (JSON.parse(text) as object) ? 1 : 0));
  const ratio = (scan / parse) * 100;
  console.log(
    `  ${name.padEnd(34)} scan ${scan.toFixed(0).padStart(9)} ns   parse ${
      parse.toFixed(0).padStart(10)
    } ns   scan/parse ${ratio.toFixed(1).padStart(6)} %${deep ? "   (rejected by the scan)" : ""}`,
  );
}
if (sink < 0) console.log(sink);
