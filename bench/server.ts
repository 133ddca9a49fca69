/**
 * @module Server benchmark (issue #3), run as `bun bench/server.ts [--runtimes bun,deno,node] [--cpu-seconds N]`:
 * eeg_data throughput to 1 and 10 clients, latency at 500 Hz with 10 clients, CPU share and RSS at 500 Hz
 * with one client, for the server started as a child process under each runtime.
 */
import {
  BenchClient,
  cpuSeconds,
  memoryMb,
  percentile,
  type Runtime,
  type ServerProcess,
  sleep,
  startServer,
} from "./server-harness.ts";

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const RUNTIMES = flag("--runtimes", "bun,deno,node").split(",") as Runtime[];
const CPU_SECONDS = Number(flag("--cpu-seconds", "10"));
const THROUGHPUT_SECONDS = 3;
const LATENCY_SECONDS = 5;
const WARM_UP_MS = 1500;

/** Starts a server, runs `body`, and always stops the server and closes the clients. */
async function withServer<T>(runtime: Runtime, serverArgs: string[], clients: number, body: (s: ServerProcess, c: BenchClient[]) => Promise<T>): Promise<T> {
  const server = await startServer(runtime, serverArgs);
  const open: BenchClient[] = [];
  try {
    for (let i = 0; i < clients; i++) open.push(await BenchClient.open(server.url));
    return await body(server, open);
  } finally {
    for (const c of open) c.close();
    await server.stop();
  }
}

/** The first client takes control and starts the device; resolves after the warm-up. */
async function startStreaming(clients: BenchClient[]): Promise<void> {
  await clients[0]!.request("bench-connect", "connect", { auto_reconnect: false, log_level: "ERROR" });
  const deadline = performance.now() + 10_000;
  while (clients[0]!.eeg === 0 && performance.now() < deadline) await sleep(20);
  if (clients[0]!.eeg === 0) throw new Error("no eeg_data within 10 s of connect");
  await sleep(WARM_UP_MS);
}

async function health(server: ServerProcess): Promise<{ shed: number; packets: { valid: number } }> {
  return (await (await fetch(`http://${server.url}/health`)).json()) as { shed: number; packets: { valid: number } };
}

interface Throughput {
  /** Server process CPU during the measurement, in cores (1 = one core busy). */
  serverCpu: number;
  /** This (client) process's CPU meanwhile, in cores. */
  clientCpu: number;
  perClient: number;
  total: number;
  shed: number;
}

async function throughput(runtime: Runtime, clientCount: number): Promise<Throughput> {
  const serverArgs = ["--sim-unthrottled", ...(clientCount > 1 ? ["--max-clients", String(clientCount)] : [])];
  return withServer(runtime, serverArgs, clientCount, async (server, clients) => {
    await startStreaming(clients);
    const shedBefore = (await health(server)).shed;
    for (const c of clients) c.eeg = 0;
    const cpu0 = await cpuSeconds(server.pid);
    const own0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(THROUGHPUT_SECONDS * 1000);
    const own = process.cpuUsage(own0);
    const seconds = (performance.now() - t0) / 1000;
    const serverCpu = ((await cpuSeconds(server.pid)) - cpu0) / seconds;
    const counts = clients.map((c) => c.eeg);
    const shed = (await health(server)).shed - shedBefore;
    const total = counts.reduce((a, b) => a + b, 0) / seconds;
    return { perClient: total / clientCount, total, shed: shed / seconds, serverCpu, clientCpu: (own.user + own.system) / 1e6 / seconds };
  });
}

interface Latency {
  p50: number;
  p99: number;
  max: number;
  samples: number;
  rtt: number;
}

async function latency(runtime: Runtime, clientCount = 10): Promise<Latency> {
  const serverArgs = clientCount > 1 ? ["--max-clients", String(clientCount)] : [];
  return withServer(runtime, serverArgs, clientCount, async (_server, clients) => {
    // calibrate every client against the server clock before data flows (no queueing then)
    let rtt = 0;
    for (const c of clients) rtt = Math.max(rtt, (await c.calibrate(50)).rttMs);
    await startStreaming(clients);
    for (const c of clients) c.recording = true;
    await sleep(LATENCY_SECONDS * 1000);
    for (const c of clients) c.recording = false;
    const all = clients.flatMap((c) => c.latencies);
    return { p50: percentile(all, 50), p99: percentile(all, 99), max: Math.max(...all), samples: all.length, rtt };
  });
}

interface Footprint {
  cpuShare: number;
  rssMb: number;
  peakMb: number;
  rate: number;
}

async function footprint(runtime: Runtime, serverArgs: string[] = []): Promise<Footprint> {
  return withServer(runtime, serverArgs, 1, async (server, clients) => {
    await startStreaming(clients);
    await sleep(1000);
    const cpu0 = await cpuSeconds(server.pid);
    const eeg0 = clients[0]!.eeg;
    const t0 = performance.now();
    await sleep(CPU_SECONDS * 1000);
    const cpu1 = await cpuSeconds(server.pid);
    const wall = (performance.now() - t0) / 1000;
    const mem = await memoryMb(server.pid);
    return { cpuShare: (cpu1 - cpu0) / wall, rssMb: mem.rss, peakMb: mem.peak, rate: (clients[0]!.eeg - eeg0) / wall };
  });
}

/** CPU share of a server with one client connected but no device streaming: the floor under `footprint`. */
async function idleCpu(runtime: Runtime): Promise<number> {
  return withServer(runtime, [], 1, async (server) => {
    await sleep(1000);
    const cpu0 = await cpuSeconds(server.pid);
    const t0 = performance.now();
    await sleep(5000);
    return (await cpuSeconds(server.pid) - cpu0) / ((performance.now() - t0) / 1000);
  });
}

const fmt = (v: number, digits = 0): string => v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const verdict = (ok: boolean): string => (ok ? "met" : "NOT met");

/** Idle CPU and the CPU of a per-packet (2 ms) simulator cadence: what wake-ups cost on this machine. */
async function printWakeUpCosts(runtime: Runtime): Promise<void> {
  console.log(`baseline: 1 client connected, device idle, 5 s: CPU ${fmt((await idleCpu(runtime)) * 100, 2)}% of a core`);
  // the simulator delivers every 10 ms by default; a per-packet cadence costs five times the wake-ups
  const perPacket = await footprint(runtime, ["--sim-tick-ms", "2"]).catch(() => null);
  console.log(
    perPacket
      ? `500 Hz, 1 client, sim delivering every 2 ms: CPU ${fmt(perPacket.cpuShare * 100, 2)}% of a core, RSS ${fmt(perPacket.rssMb, 1)} MB`
      : "500 Hz, 1 client, sim delivering every 2 ms: not measured (the server failed to stream)",
  );
}

async function main(): Promise<void> {
  console.log(`MW75 server benchmark (client: ${"Bun" in globalThis ? "bun" : "other"} in one process; server: child process per scenario)`);
  const targets: string[] = [];
  for (const runtime of RUNTIMES) {
    console.log(`\n== server on ${runtime}`);
    try {
      const one = await throughput(runtime, 1);
      console.log(`throughput, sim unthrottled, 1 client:   ${fmt(one.total)} eeg_data msgs/s delivered (server shed ${fmt(one.shed)}/s, server CPU ${fmt(one.serverCpu * 100)}% of a core, client CPU ${fmt(one.clientCpu * 100)}%)`);
      const ten = await throughput(runtime, 10);
      console.log(`throughput, sim unthrottled, 10 clients: ${fmt(ten.total)} msgs/s in total, ${fmt(ten.perClient)} per client (shed ${fmt(ten.shed)}/s, server CPU ${fmt(ten.serverCpu * 100)}%, client CPU ${fmt(ten.clientCpu * 100)}%)`);
      const lat = await latency(runtime);
      console.log(
        `latency at 500 Hz, 10 clients: p50 ${fmt(lat.p50, 3)} ms, p99 ${fmt(lat.p99, 3)} ms, max ${fmt(lat.max, 3)} ms ` +
          `(${fmt(lat.samples)} samples; clock offset error ≤ ${fmt(lat.rtt / 2, 3)} ms)`,
      );
      const single = await latency(runtime, 1);
      console.log(`latency at 500 Hz, 1 client (context: less client-side queueing): p50 ${fmt(single.p50, 3)} ms, p99 ${fmt(single.p99, 3)} ms, max ${fmt(single.max, 3)} ms`);
      const fp = await footprint(runtime);
      console.log(
        `500 Hz, 1 client, ${CPU_SECONDS} s (sim delivers every 10 ms): CPU ${fmt(fp.cpuShare * 100, 2)}% of a core, RSS ${fmt(fp.rssMb, 1)} MB (peak ${fmt(fp.peakMb, 1)} MB), ` +
          `${fmt(fp.rate)} eeg_data msgs/s received`,
      );
      await printWakeUpCosts(runtime);
      targets.push(
        `${runtime.padEnd(5)} ≥ 200k msgs/s to one client${runtime === "bun" ? "" : " (target is for Bun)"}: ${fmt(one.total)} — ${verdict(one.total >= 200_000)}`,
        `${runtime.padEnd(5)} p99 ≤ 1 ms (500 Hz, 10 clients): ${fmt(lat.p99, 3)} ms — ${verdict(lat.p99 <= 1)}`,
        `${runtime.padEnd(5)} ≤ 1% of a core (500 Hz, 1 client): ${fmt(fp.cpuShare * 100, 2)}% — ${verdict(fp.cpuShare <= 0.01)}`,
        `${runtime.padEnd(5)} ≤ 80 MB RSS (500 Hz, 1 client): ${fmt(fp.rssMb, 1)} MB — ${verdict(fp.rssMb <= 80)}`,
      );
    } catch (e) {
      console.log(`failed: ${e instanceof Error ? e.message : String(e)}`);
      await printWakeUpCosts(runtime);
      targets.push(`${runtime.padEnd(5)} benchmark failed — targets not measured`);
    }
  }
  console.log("\ntargets:");
  for (const line of targets) console.log(`  ${line}`);
  console.log(
    "\nnotes: latency = client receive time − eeg_data.timestamp (stamped by the server when it decodes the chunk), " +
      "with the server/client clock offset measured by ping/pong (best of 50 round trips per client); it covers " +
      "decode → JSON → WebSocket → client event loop, not the simulator's chunking. CPU = Δ(utime+stime) of the " +
      "server PID from /proc/PID/stat over wall time; RSS = VmRSS from /proc/PID/status at the end.",
  );
}

await main();
