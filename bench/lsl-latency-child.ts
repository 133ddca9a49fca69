/** @module LSL benchmark, measure 2 in-process: outlet and feed reader in one process of the runtime under test; prints one JSON line. */
// Run by bench/lsl.ts: `bun|deno run -A|node --import tsx bench/lsl-latency-child.ts SECONDS`. An outlet
// pushes 10-sample chunks of a 500-Hz, 12-channel stream from a 20-ms timer, the newest sample stamped
// with the push time; a feed reader in the same process stamps arrival on the same clock.
import { systemClock } from "../src/core/clock.ts";
import { LslOutlets } from "../src/lsl/outlet/outlets.ts";
import { requireLoopbackOnly } from "../test/_support/netns.ts";
import {
  benchLog,
  benchProblems,
  benchTime,
  HOST,
  openConsumers,
  SCOPE,
  SESSION,
} from "./lsl-support.ts";

const RATE = 500;
const CHUNK = 10;
const CHANNELS = 12;
const WARMUP_MS = 1000;

requireLoopbackOnly();
const seconds = Number(process.argv[process.argv.length - 1]) || 10;
const time = await benchTime();
const outlets = await LslOutlets.start({
  scope: SCOPE,
  sessionId: SESSION,
  hostname: HOST,
  time,
  clock: systemClock,
  log: benchLog,
});
const suffix = Math.random().toString(36).slice(2, 8);
const outlet = await outlets.open({
  name: `BenchLatency_${suffix}`,
  type: "EEG",
  channelCount: CHANNELS,
  channelFormat: "float32",
  nominalSrate: RATE,
  sourceId: `bench-latency-${suffix}`,
  desc: [],
});

let recording = false;
const latencyMs: number[] = [];
// the consumer connects straight to the data port: resolution is not what this measures
const [consumer] = await openConsumers({ ...outlet.info, v4address: "127.0.0.1" }, 1, (samples) => {
  const arrival = time.now();
  if (!recording) return;
  // channel 0 holds the sample's index in its chunk: the last one was stamped at push time
  for (const s of samples) {
    if (s.values[0] === CHUNK - 1) latencyMs.push((arrival - s.timestamp) * 1000);
  }
});

const values = new Float32Array(CHUNK * CHANNELS);
for (let i = 0; i < CHUNK; i++) values[i * CHANNELS] = i;
const stamps = new Float64Array(CHUNK);
let pushed = 0;
const timer = setInterval(() => {
  const now = time.now();
  for (let i = 0; i < CHUNK; i++) stamps[i] = now - (CHUNK - 1 - i) / RATE;
  outlet.pushChunk(values, stamps);
  if (recording) pushed += CHUNK;
}, (CHUNK / RATE) * 1000);

await new Promise((r) => setTimeout(r, WARMUP_MS));
const received0 = consumer!.samples;
recording = true;
await new Promise((r) => setTimeout(r, seconds * 1000));
recording = false;
clearInterval(timer);
// what was pushed in the window but is still in flight arrives within this (a loopback round trip)
await new Promise((r) => setTimeout(r, 200));
const received = consumer!.samples - received0;
await consumer!.close();
await outlets.close();
console.log(JSON.stringify({ latencyMs, pushed, received, problems: benchProblems }));
process.exit(0);
