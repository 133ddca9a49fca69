/**
 * @module The `eeg_data` scenarios of the server benchmark (one server child per scenario): throughput to
 * 1 and N clients with the sim unthrottled, latency at 500 Hz, CPU and RSS at 500 Hz, and the idle floor.
 * Also the plumbing the binary scenarios share: `withServer`, `health`, `Settings`.
 */
import {
  cpuSeconds,
  median,
  memoryMb,
  percentile,
  type Runtime,
  type ServerProcess,
  sleep,
  startServer,
} from "./server-harness.ts";
import { type BenchClient, openClients } from "./bench-client.ts";

/** Durations every scenario reads; set once from the command line. */
export const Settings = {
  /** Length of each 500 Hz CPU window (--cpu-seconds). */
  cpuSeconds: 10,
  /** Throughput is measured in this many one-second windows, and their median is reported. */
  throughputWindows: 3,
  latencySeconds: 5,
  warmUpMs: 1500,
};

/** Handshakes in flight at once when a scenario opens many clients. */
const OPEN_CONCURRENCY = 8;

/** Starts a server, opens `clients` (each through `prepare`), runs `body`, and always stops the server and closes the clients. */
export async function withServer<T>(
  runtime: Runtime,
  serverArgs: string[],
  clients: number,
  body: (s: ServerProcess, c: BenchClient[]) => Promise<T>,
  prepare?: (c: BenchClient) => Promise<void>,
): Promise<T> {
  const server = await startServer(runtime, serverArgs);
  let open: BenchClient[] = [];
  try {
    open = await openClients(server.url, clients, OPEN_CONCURRENCY, prepare);
    return await body(server, open);
  } finally {
    for (const c of open) c.close();
    await server.stop();
  }
}

/** The server's GET /health figures the benchmark reads. */
export async function health(
  server: ServerProcess,
): Promise<{ shed: number; packets: { valid: number } }> {
  const res = await fetch(`http://${server.url}/health`, { signal: AbortSignal.timeout(5_000) });
  return (await res.json()) as { shed: number; packets: { valid: number } };
}

/** The first client takes control and starts the device; resolves once `ready()` holds (10 s limit), after the warm-up. */
export async function startStreaming(
  clients: BenchClient[],
  ready: () => boolean = () => clients[0]!.eeg > 0,
  what = "eeg_data",
): Promise<void> {
  await clients[0]!.request("bench-connect", "connect", {
    auto_reconnect: false,
    log_level: "ERROR",
  });
  const deadline = performance.now() + 10_000;
  while (!ready() && performance.now() < deadline) await sleep(20);
  if (!ready()) throw new Error(`no ${what} within 10 s of connect`);
  await sleep(Settings.warmUpMs);
}

// --- eeg_data scenarios ---

export interface Throughput {
  /** Median over the windows of eeg_data msgs/s summed over all clients. */
  total: number;
  /** Lowest and highest window. */
  range: [number, number];
  perClient: number;
  /** Server process CPU over all windows, in cores (1 = one core busy). */
  serverCpu: number;
  /** This (client) process's CPU meanwhile, in cores. */
  clientCpu: number;
  shed: number;
}

export function throughput(runtime: Runtime, clientCount: number): Promise<Throughput> {
  const serverArgs = [
    "--sim-unthrottled",
    ...(clientCount > 1 ? ["--max-clients", String(clientCount)] : []),
  ];
  return withServer(runtime, serverArgs, clientCount, async (server, clients) => {
    await startStreaming(clients);
    const shedBefore = (await health(server)).shed;
    const cpu0 = await cpuSeconds(server.pid);
    const own0 = process.cpuUsage();
    const t0 = performance.now();
    const rates: number[] = [];
    for (let w = 0; w < Settings.throughputWindows; w++) {
      for (const c of clients) c.eeg = 0;
      const w0 = performance.now();
      await sleep(1000);
      const total = clients.reduce((sum, c) => sum + c.eeg, 0);
      rates.push(total / ((performance.now() - w0) / 1000));
    }
    const own = process.cpuUsage(own0);
    const seconds = (performance.now() - t0) / 1000;
    const serverCpu = ((await cpuSeconds(server.pid)) - cpu0) / seconds;
    const shed = (await health(server)).shed - shedBefore;
    const total = median(rates);
    return {
      total,
      range: [Math.min(...rates), Math.max(...rates)],
      perClient: total / clientCount,
      shed: shed / seconds,
      serverCpu,
      clientCpu: (own.user + own.system) / 1e6 / seconds,
    };
  });
}

export interface Latency {
  p50: number;
  p99: number;
  max: number;
  samples: number;
  rtt: number;
}

export function latency(runtime: Runtime, clientCount = 10): Promise<Latency> {
  const serverArgs = clientCount > 1 ? ["--max-clients", String(clientCount)] : [];
  return withServer(runtime, serverArgs, clientCount, async (_server, clients) => {
    // calibrate every client against the server clock before data flows (no queueing then)
    let rtt = 0;
    for (const c of clients) rtt = Math.max(rtt, (await c.calibrate(50)).rttMs);
    await startStreaming(clients);
    for (const c of clients) c.recording = true;
    await sleep(Settings.latencySeconds * 1000);
    for (const c of clients) c.recording = false;
    const all = clients.flatMap((c) => c.latencies);
    return {
      p50: percentile(all, 50),
      p99: percentile(all, 99),
      max: Math.max(...all),
      samples: all.length,
      rtt,
    };
  });
}

export interface Footprint {
  cpuShare: number;
  rssMb: number;
  peakMb: number;
  rate: number;
}

export function footprint(runtime: Runtime, serverArgs: string[] = []): Promise<Footprint> {
  return withServer(runtime, serverArgs, 1, async (server, clients) => {
    await startStreaming(clients);
    await sleep(1000);
    const cpu0 = await cpuSeconds(server.pid);
    const eeg0 = clients[0]!.eeg;
    const t0 = performance.now();
    await sleep(Settings.cpuSeconds * 1000);
    const cpu1 = await cpuSeconds(server.pid);
    const wall = (performance.now() - t0) / 1000;
    const mem = await memoryMb(server.pid);
    return {
      cpuShare: (cpu1 - cpu0) / wall,
      rssMb: mem.rss,
      peakMb: mem.peak,
      rate: (clients[0]!.eeg - eeg0) / wall,
    };
  });
}

/** CPU share of a server with one client connected but no device streaming: the floor under `footprint`. */
export function idleCpu(runtime: Runtime): Promise<number> {
  return withServer(runtime, [], 1, async (server) => {
    await sleep(1000);
    const cpu0 = await cpuSeconds(server.pid);
    const t0 = performance.now();
    await sleep(5000);
    return (await cpuSeconds(server.pid) - cpu0) / ((performance.now() - t0) / 1000);
  });
}
