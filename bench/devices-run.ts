/** @module One run of the multi-device benchmark: a bridge with N autoconnected sim devices, one binary eeg_batch client per device (devices-clients.ts), and its measurement windows. */
import {
  median,
  memoryMb,
  percentile,
  type Runtime,
  type ServerProcess,
  sleep,
  startServer,
  threadCpuSeconds,
} from "./server-harness.ts";
import { acked, type DeviceClient, LatencyLog, openDeviceClients } from "./devices-clients.ts";

/** Sample rate of every sim device. */
export const RATE_HZ = 500;

const FIRST_FRAME_TIMEOUT_MS = 60_000;
const CALIBRATION_PINGS = 30;

/** One measurement window. */
export interface Window {
  /** Seconds since the server was started, at the window's start and end. */
  fromS: number;
  toS: number;
  /** Samples/s received over all clients during the window. */
  delivered: number;
  /** Server CPU (all threads) and this process's CPU, in cores. */
  serverCpu: number;
  clientCpu: number;
  /** Server VmRSS and VmHWM at the window's end, MB. */
  rssMb: number;
  peakMb: number;
  /** Frames/s received over all clients. */
  framesPerS: number;
  /** Client receive time − sample-clock stamp of the frame's newest sample, ms, one per full (N = 50) frame. */
  p50: number;
  p99: number;
  max: number;
}

/** The sim-1 probe: frame receive time against its newest sample's chunk arrival (from eeg_data.timestamp). */
export interface Probe {
  frames: number;
  /** Client receive − chunk arrival of the newest sample, ms. */
  p50: number;
  p99: number;
  /** Chunk arrival − sample-clock stamp of the same sample, ms (what the stamp-based figure adds). */
  lagP50: number;
  lagP99: number;
}

/** What one run measured. */
export interface RunResult {
  runtime: Runtime;
  devices: number;
  /** Server start → `listening`, and → every client holding its first frame, s. */
  startS: number;
  readyS: number;
  /** Clock offset error bound (best ping's RTT / 2), ms. */
  offsetErrorMs: number;
  early: Window;
  /** The window after the rings are full (only when a fill was asked for). */
  filled: Window | null;
  probe: Probe | null;
  /** Over every client's whole session: seqs skipped or repeated, clients with either, frames shorter than BATCH_N. */
  missing: number;
  duplicated: number;
  lossyClients: number;
  shortFrames: number;
  /** Summed over devices from /health at the end: shed messages and packets lost by the decoder. */
  shed: number;
  lost: number;
}

export interface RunOptions {
  /** Devices stream this long (since server start) before the first window. */
  warmupS: number;
  windowS: number;
  /** When set, a second window starts this many seconds after server start (rings full). */
  fillS: number | null;
  /** Length of the sim-1 probe after the windows (0: none). */
  probeS: number;
  /** eeg_batch interval_ms (null: the server's default). */
  intervalMs: number | null;
}

interface DeviceHealth {
  shed: number;
  packets: { lost: number };
}

async function deviceHealth(srv: ServerProcess): Promise<DeviceHealth[]> {
  const res = await fetch(`http://${srv.url}/health`, { signal: AbortSignal.timeout(10_000) });
  return ((await res.json()) as { devices: DeviceHealth[] }).devices;
}

/** Measures one window of `seconds`. */
async function measure(
  srv: ServerProcess,
  clients: DeviceClient[],
  latency: LatencyLog,
  startedAt: number,
  seconds: number,
): Promise<Window> {
  const samples = (): number => clients.reduce((n, c) => n + c.ledger.samples, 0);
  latency.values = [];
  latency.frames = 0;
  latency.recording = true;
  const [cpu0, own0, samples0, t0] = [
    await threadCpuSeconds(srv.pid),
    process.cpuUsage(),
    samples(),
    performance.now(),
  ];
  await sleep(seconds * 1000);
  const [cpu1, own, samples1, t1] = [
    await threadCpuSeconds(srv.pid),
    process.cpuUsage(own0),
    samples(),
    performance.now(),
  ];
  latency.recording = false;
  const wall = (t1 - t0) / 1000;
  const mem = await memoryMb(srv.pid);
  const lat = latency.values;
  if (lat.length === 0) throw new Error("no frames during the window");
  return {
    fromS: (t0 - startedAt) / 1000,
    toS: (t1 - startedAt) / 1000,
    delivered: (samples1 - samples0) / wall,
    framesPerS: latency.frames / wall,
    serverCpu: (cpu1 - cpu0) / wall,
    clientCpu: (own.user + own.system) / 1e6 / wall,
    rssMb: mem.rss,
    peakMb: mem.peak,
    p50: median(lat),
    p99: percentile(lat, 99),
    max: lat.reduce((a, b) => Math.max(a, b), -Infinity),
  };
}

/**
 * sim-1's client also takes eeg_data for `seconds`: its `timestamp` is the host arrival of the sample's chunk (before
 * decode), so receive − arrival of each full frame's newest sample is the pipeline's latency without the sim's chunking.
 */
async function probeArrival(c: DeviceClient, latency: LatencyLog, seconds: number): Promise<Probe> {
  const arrival = new Map<number, number>();
  c.client.onText = (text) => {
    if (text.indexOf('"type":"eeg_data"') === -1) return;
    const d = (JSON.parse(text) as { data: { seq: number; timestamp: number } }).data;
    arrival.set(d.seq, d.timestamp * 1000);
  };
  await acked(c.client, "probe-sub", "subscribe", { stream: "eeg" });
  await sleep(500); // frames in flight before eeg_data started are left out by the seq match anyway
  latency.probe = [];
  await sleep(seconds * 1000);
  const frames = latency.probe;
  latency.probe = null;
  await acked(c.client, "probe-unsub", "unsubscribe", { stream: "eeg" });
  c.client.onText = null;
  const lat: number[] = [];
  const lag: number[] = [];
  for (const [seq, received, stamp] of frames) {
    const at = arrival.get(seq);
    if (at === undefined) continue;
    lat.push(received - (at - latency.offsetMs));
    lag.push(at - stamp);
  }
  if (lat.length === 0) throw new Error("probe: no frame matched an eeg_data seq");
  return {
    frames: lat.length,
    p50: median(lat),
    p99: percentile(lat, 99),
    lagP50: median(lag),
    lagP99: percentile(lag, 99),
  };
}

/** Sleeps until `seconds` have passed since `startedAt` (performance.now() ms). */
const sleepUntil = (startedAt: number, seconds: number): Promise<void> =>
  sleep(Math.max(0, startedAt + seconds * 1000 - performance.now()));

/** One bridge with `devices` sim devices, one client each; always stops the server and closes the clients. */
export async function runDevices(
  runtime: Runtime,
  devices: number,
  o: RunOptions,
): Promise<RunResult> {
  const startedAt = performance.now();
  const srv = await startServer(runtime, [
    "--sim-devices",
    String(devices),
    "--autoconnect",
    ...serverArgs(),
  ]);
  const startS = (performance.now() - startedAt) / 1000;
  const latency = new LatencyLog();
  let clients: DeviceClient[] = [];
  try {
    clients = await openDeviceClients(srv.url, devices, latency, o.intervalMs);
    const deadline = performance.now() + FIRST_FRAME_TIMEOUT_MS;
    while (clients.some((c) => c.ledger.frames === 0) && performance.now() < deadline) {
      await sleep(20);
    }
    const silent = clients.filter((c) => c.ledger.frames === 0).length;
    if (silent > 0) {
      throw new Error(
        `${silent} of ${devices} clients got no frame within ${FIRST_FRAME_TIMEOUT_MS / 1000} s`,
      );
    }
    const readyS = (performance.now() - startedAt) / 1000;
    const { offsetMs, rttMs } = await clients[0]!.client.calibrate(CALIBRATION_PINGS);
    latency.offsetMs = offsetMs;
    await sleepUntil(startedAt, o.warmupS);
    const early = await measure(srv, clients, latency, startedAt, o.windowS);
    let filled: Window | null = null;
    if (o.fillS !== null) {
      await sleepUntil(startedAt, o.fillS);
      filled = await measure(srv, clients, latency, startedAt, o.windowS);
    }
    const health = await deviceHealth(srv);
    // after /health: the probe's eeg_data may be shed on a busy server, which must not count against the windows
    const probe = o.probeS > 0 ? await probeArrival(clients[0]!, latency, o.probeS) : null;
    const ledgers = clients.map((c) => c.ledger);
    return {
      runtime,
      devices,
      startS,
      readyS,
      offsetErrorMs: rttMs / 2,
      early,
      filled,
      probe,
      missing: ledgers.reduce((n, l) => n + l.missing, 0),
      duplicated: ledgers.reduce((n, l) => n + l.duplicated, 0),
      lossyClients: ledgers.filter((l) => l.missing > 0 || l.duplicated > 0).length,
      shortFrames: ledgers.reduce((n, l) => n + l.frames - l.fullFrames, 0),
      shed: health.reduce((n, d) => n + d.shed, 0),
      lost: health.reduce((n, d) => n + d.packets.lost, 0),
    };
  } finally {
    for (const c of clients) c?.client.close();
    await srv.stop();
  }
}

/** `--server-args "--retention-s 15"`: extra flags for every server this benchmark starts. */
function serverArgs(): string[] {
  const i = process.argv.indexOf("--server-args");
  return i >= 0 && process.argv[i + 1] !== undefined
    ? process.argv[i + 1]!.split(/\s+/).filter(Boolean)
    : [];
}
