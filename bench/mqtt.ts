/**
 * @module MQTT benchmark (issue 13): one bridge with `--sim-devices N --autoconnect --mqtt` publishing
 * to a local mosquitto, a subscriber in this process counting every sample (seq continuity per
 * device); publish rate, bridge CPU, broker CPU, drops, for N = 1, 10, 50 at 500 Hz.
 */

// bun bench/mqtt.ts [--runtimes bun,deno,node] [--devices 1,10,50] [--window-s 10] [--warmup-s 3] [--baseline]
//   --baseline also measures each bridge without --mqtt, for the publisher's share of the CPU
import { execFileSync } from "node:child_process";
import mqtt from "mqtt";
import { startBroker } from "../test/_support/mqtt/broker.ts";
import { cpuSeconds, sleep, startServer, threadCpuSeconds } from "./server-harness.ts";
import type { Runtime } from "./server-harness.ts";

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const RUNTIMES = flag("--runtimes", "bun").split(",") as Runtime[];
const DEVICES = flag("--devices", "1,10,50").split(",").map(Number);
const WINDOW_S = Number(flag("--window-s", "10"));
const WARMUP_S = Number(flag("--warmup-s", "3"));
const RATE_HZ = 500;
const BASELINE = args.includes("--baseline");

const fmt = (v: number, digits = 0): string =>
  v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const uptime = (): string => {
  try {
    return execFileSync("uptime", { encoding: "utf8", timeout: 5000 }).trim();
  } catch {
    return "(uptime not available)";
  }
};

/** Per device: the next seq expected, samples received, seqs missing or repeated. */
interface DeviceCount {
  next: number;
  samples: number;
  missing: number;
  repeated: number;
}

interface Result {
  runtime: Runtime;
  devices: number;
  samplesPerS: number;
  framesPerS: number;
  missing: number;
  repeated: number;
  bridgeCpu: number;
  brokerCpu: number;
  subscriberCpu: number;
  published: number;
  dropped: number;
  /** The same bridge without --mqtt (with --baseline). */
  baselineCpu: number | null;
}

/** Bridge CPU (cores) for N devices streaming headless with no broker at all. */
async function baseline(runtime: Runtime, devices: number): Promise<number> {
  const srv = await startServer(runtime, ["--sim-devices", String(devices), "--autoconnect"]);
  try {
    await sleep(WARMUP_S * 1000);
    const [c0, t0] = [await threadCpuSeconds(srv.pid), performance.now()];
    await sleep(WINDOW_S * 1000);
    return (await threadCpuSeconds(srv.pid) - c0) / ((performance.now() - t0) / 1000);
  } finally {
    await srv.stop();
  }
}

async function run(runtime: Runtime, devices: number): Promise<Result> {
  const broker = await startBroker();
  const counts = new Map<string, DeviceCount>();
  let frames = 0;
  const sub = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
  sub.on("message", (topic, payload) => {
    const device = topic.split("/")[2]!;
    const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    const count = view.getUint32(8, true);
    const first = view.getFloat64(16, true);
    let c = counts.get(device);
    if (c === undefined) {
      counts.set(device, c = { next: first, samples: 0, missing: 0, repeated: 0 });
    }
    if (first > c.next) c.missing += first - c.next;
    if (first < c.next) c.repeated += count;
    c.next = Math.max(c.next, first + count);
    c.samples += count;
    frames++;
  });
  await sub.subscribeAsync("mw75/bench/+/eeg", { qos: 0 });
  const srv = await startServer(runtime, [
    "--sim-devices",
    String(devices),
    "--autoconnect",
    "--mqtt",
    broker.url,
    "--bridge-id",
    "bench",
  ]);
  try {
    await sleep(WARMUP_S * 1000);
    const total = () =>
      [...counts.values()].reduce(
        (a, c) => ({
          samples: a.samples + c.samples,
          missing: a.missing + c.missing,
          repeated: a.repeated + c.repeated,
        }),
        { samples: 0, missing: 0, repeated: 0 },
      );
    const s0 = total();
    const f0 = frames;
    const [b0, m0, own0, t0] = [
      await threadCpuSeconds(srv.pid),
      await cpuSeconds(broker.pid ?? 0),
      process.cpuUsage(),
      performance.now(),
    ];
    await sleep(WINDOW_S * 1000);
    const [b1, m1, own, t1] = [
      await threadCpuSeconds(srv.pid),
      await cpuSeconds(broker.pid ?? 0),
      process.cpuUsage(own0),
      performance.now(),
    ];
    const s1 = total();
    const wall = (t1 - t0) / 1000;
    const health = (await (await fetch(`http://${srv.url}/health`)).json()) as {
      mqtt: { published: number; dropped: number };
    };
    return {
      runtime,
      devices,
      samplesPerS: (s1.samples - s0.samples) / wall,
      framesPerS: (frames - f0) / wall,
      missing: s1.missing,
      repeated: s1.repeated,
      bridgeCpu: (b1 - b0) / wall,
      brokerCpu: (m1 - m0) / wall,
      subscriberCpu: (own.user + own.system) / 1e6 / wall,
      published: health.mqtt.published,
      dropped: health.mqtt.dropped,
      baselineCpu: null,
    };
  } finally {
    await srv.stop();
    await sub.endAsync(true);
    await broker.dispose();
  }
}

console.log(
  `MQTT benchmark: ${RATE_HZ} Hz simulated devices, ${WARMUP_S} s warm-up, ${WINDOW_S} s window`,
);
console.log(`load before: ${uptime()}`);
const results: Result[] = [];
for (const runtime of RUNTIMES) {
  for (const n of DEVICES) {
    const r = await run(runtime, n);
    if (BASELINE) r.baselineCpu = await baseline(runtime, n);
    results.push(r);
  }
}
const headers = [
  "runtime",
  "N",
  "expected/s",
  "received/s",
  "recv.%",
  "frames/s",
  "missing",
  "repeated",
  "bridge CPU",
  "CPU/device",
  "no-mqtt CPU",
  "broker CPU",
  "subscriber CPU",
  "published",
  "dropped",
];
const rows = results.map((r) => [
  r.runtime,
  String(r.devices),
  fmt(r.devices * RATE_HZ),
  fmt(r.samplesPerS),
  fmt((100 * r.samplesPerS) / (r.devices * RATE_HZ), 1),
  fmt(r.framesPerS),
  String(r.missing),
  String(r.repeated),
  `${fmt(r.bridgeCpu * 100, 1)}%`,
  `${fmt((r.bridgeCpu * 100) / r.devices, 2)}%`,
  r.baselineCpu === null ? "" : `${fmt(r.baselineCpu * 100, 1)}%`,
  `${fmt(r.brokerCpu * 100, 1)}%`,
  `${fmt(r.subscriberCpu * 100, 1)}%`,
  String(r.published),
  String(r.dropped),
]);
const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
for (const line of [headers, ...rows]) {
  console.log(line.map((c, i) => c.padStart(widths[i]!)).join("  "));
}
for (const runtime of RUNTIMES) {
  const own = results.filter((r) => r.runtime === runtime);
  const one = own.find((r) => r.devices === Math.min(...own.map((o) => o.devices)));
  if (one === undefined) continue;
  for (const r of own.filter((o) => o !== one)) {
    console.log(
      `${runtime}: ${r.devices} vs ${one.devices} devices: ×${
        fmt(r.samplesPerS / one.samplesPerS, 1)
      } samples/s for ×${fmt(r.bridgeCpu / one.bridgeCpu, 1)} bridge CPU (×${
        fmt(r.devices / one.devices, 0)
      } devices)`,
    );
  }
  for (const r of own.filter((o) => o.baselineCpu !== null)) {
    console.log(
      `${runtime}: ${r.devices} devices: publishing costs ${
        fmt((r.bridgeCpu - r.baselineCpu!) * 100, 1)
      } points of a core (×${fmt(r.bridgeCpu / r.baselineCpu!, 2)} the bridge without --mqtt)`,
    );
  }
}
console.log(`load after: ${uptime()}`);
process.exit(0);
