/** @module The outlet alone, by timing counters: this process's CPU while one EEG outlet is pushed 100 chunks/s, read by 0 then 1 consumer. */
// bash test/netns.sh node_modules/.bin/bun bench/lsl-outlet-cost.ts [seconds] [direct|plain]
// Without the simulator, hub and HTTP server of `serve` the baseline is a bare timer, so the outlet's
// share stands out of the noise that bench/lsl.ts's five bridges carry. The consumer is a child process.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { bunDirectWrite } from "../src/adapters/runtime/direct-write.ts";
import { systemClock } from "../src/core/clock.ts";
import { LslOutlets } from "../src/lsl/outlet/outlets.ts";
import { requireLoopbackOnly } from "../test/_support/netns.ts";
import { benchLog, benchTime, HOST } from "./lsl-support.ts";
import { sleep } from "./server-harness.ts";

requireLoopbackOnly();
const SECONDS = Number(process.argv[2] ?? "15");
const DIRECT = (process.argv[3] ?? "direct") === "direct" && "Bun" in globalThis;
const CH = 14;

function cpuSeconds(): number {
  let ns = 0;
  for (const t of readdirSync("/proc/self/task")) {
    try {
      ns += Number(readFileSync(`/proc/self/task/${t}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // the thread exited meanwhile
    }
  }
  return ns / 1e9;
}

async function measure(): Promise<number> {
  const c0 = cpuSeconds();
  const t0 = performance.now();
  await sleep(SECONDS * 1000);
  return (cpuSeconds() - c0) / ((performance.now() - t0) / 1000);
}

const time = await benchTime();
const outlets = await LslOutlets.start({
  scope: "machine",
  sessionId: "default",
  hostname: HOST,
  time,
  clock: systemClock,
  log: benchLog,
  directWrite: DIRECT ? bunDirectWrite : null,
});
const eeg = await outlets.open({
  name: `Cost_${Math.random().toString(36).slice(2, 8)}`,
  type: "EEG",
  channelCount: CH,
  channelFormat: "float32",
  nominalSrate: 500,
  sourceId: "cost",
  desc: [],
});
// the simulator's pace: 5 samples every 10 ms
const values = new Float32Array(5 * CH).map(() => Math.random());
const pusher = setInterval(() => {
  const t = time.now();
  eeg.pushChunk(values, Float64Array.from({ length: 5 }, (_, i) => t - (4 - i) / 500));
}, 10);
await sleep(2000);
const none = await measure();
const request = `LSL:streamfeed/110 ${eeg.info.uid}\r\nNative-Byte-Order: 1234\r\n` +
  `Endian-Performance: 2.2e+06\r\nHas-IEEE754-Floats: 1\r\nSupports-Subnormals: 1\r\nValue-Size: 4\r\n` +
  `Data-Protocol-Version: 110\r\nMax-Buffer-Length: 360\r\nMax-Chunk-Length: 0\r\nHostname: t\r\n\r\n`;
const reader = spawn("node", [
  "-e",
  `const s=require("net").connect(${eeg.info.v4dataPort},"127.0.0.1",()=>s.write(${
    JSON.stringify(request)
  }));let n=0;s.on("data",d=>n+=d.length);s.on("error",()=>{});` +
  `process.on("SIGTERM",()=>{console.log(n);process.exit(0)})`,
], { stdio: ["ignore", "pipe", "inherit"] });
let got = "";
reader.stdout!.on("data", (d: Uint8Array) => (got += new TextDecoder().decode(d)));
await sleep(2000);
const one = await measure();
reader.kill("SIGTERM");
await new Promise((resolve) => reader.once("exit", resolve));
clearInterval(pusher);
await outlets.close();
const pct = (x: number): string => `${(x * 100).toFixed(3)}%`;
console.log(
  `${"Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node"} ${
    DIRECT ? "direct" : "plain"
  }: CPU with 0 consumers ${pct(none)}, with 1 ${pct(one)}, the consumer's share ${
    pct(one - none)
  } (${got.trim()} B read)`,
);
process.exit(0);
