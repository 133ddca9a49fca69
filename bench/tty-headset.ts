/** @module Server CPU of one headset read from a tty (socat pty fed at 500 Hz, emulated BlueZ) next to the simulator, per runtime, each with one binary eeg_batch client (N = 50). */

// bun bench/tty-headset.ts [--runtimes bun,deno,node] [--window-s 10] [--warmup-s 10]
import { flagReader } from "./args.ts";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PACKET_LEN } from "../src/decoder/types.ts";
import { simPackets } from "../src/sources/signal.ts";
import { startFakeBluez } from "../test/_support/fake-bluez.ts";
import { startPtyPair } from "../test/_support/pty-pair.ts";
import { BATCH_N } from "./batch-scenarios.ts";
import { BenchClient } from "./bench-client.ts";
import { takeBinaryBatches } from "./devices-clients.ts";
import {
  memoryMb,
  type Runtime,
  type ServerProcess,
  sleep,
  startServer,
  threadCpuSeconds,
} from "./server-harness.ts";

const flag = flagReader();
const RUNTIMES = flag("--runtimes", "bun,deno,node").split(",") as Runtime[];
const WINDOW_S = Number(flag("--window-s", "10"));
const WARMUP_S = Number(flag("--warmup-s", "10"));
const RATE_HZ = 500;
/** The feeder writes what is due every FEED_MS (an RFCOMM tty delivers in bursts too). */
const FEED_MS = 10;
const FIRST_FRAME_TIMEOUT_MS = 30_000;
const HEADSET = "A0:B1:C2:D3:E4:75";

const uptime = (): string => {
  try {
    return execFileSync("uptime", { encoding: "utf8", timeout: 5_000 }).trim();
  } catch {
    return "(uptime not available)";
  }
};

/** Every descendant of `pid` (Deno reads the tty through a `cat` child: its CPU is the reading's cost too). */
function descendants(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    let children = "";
    try {
      children = readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8");
    } catch {
      continue;
    }
    for (const c of children.split(" ").filter(Boolean).map(Number)) {
      out.push(c, ...descendants(c));
    }
  }
  return out;
}

/** CPU seconds of the server and of its children alive at the time. */
async function treeCpu(pid: number): Promise<Map<number, number>> {
  const pids = [pid, ...descendants(pid)];
  const values = await Promise.all(pids.map((p) => threadCpuSeconds(p).catch(() => 0)));
  return new Map(pids.map((p, i) => [p, values[i]!]));
}

/** Writes simulator packets into the pty at 500 Hz, drift-free, every FEED_MS, through `cat` (stdin is a pipe: never blocks this process). */
function startFeeder(path: string): { stop(): void } {
  const ring = simPackets(1, 0, 256 * 8); // a whole number of counter cycles: counters stay consecutive
  const writer: ChildProcess = spawn("sh", ["-c", 'exec cat > "$0"', path], {
    stdio: ["pipe", "ignore", "ignore"],
  });
  writer.stdin!.on("error", () => {});
  const started = performance.now();
  let sent = 0;
  let pos = 0;
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) / 1000) * RATE_HZ);
    // one write per tick (two where the ring wraps), as a tty read gets a burst of packets
    while (sent < due) {
      const n = Math.min(due - sent, (ring.length - pos) / PACKET_LEN);
      writer.stdin!.write(ring.subarray(pos, pos + n * PACKET_LEN));
      pos = (pos + n * PACKET_LEN) % ring.length;
      sent += n;
    }
  }, FEED_MS);
  return {
    stop() {
      clearInterval(timer);
      writer.stdin!.end();
      if (writer.pid !== undefined && writer.exitCode === null) process.kill(writer.pid, "SIGKILL");
    },
  };
}

interface Figures {
  runtime: Runtime;
  source: string;
  cpu: number;
  childCpu: number;
  samplesPerS: number;
  rssMb: number;
}

/** One server, one client: warm up, then measure the server's CPU (with its children) over the window. */
async function measure(runtime: Runtime, source: string, srv: ServerProcess): Promise<Figures> {
  const client = await BenchClient.open(srv.url);
  let samples = 0;
  client.onFrame = (frame) => void (samples += new DataView(frame).getUint32(8, true));
  try {
    await takeBinaryBatches(client);
    const deadline = performance.now() + FIRST_FRAME_TIMEOUT_MS;
    while (samples === 0) {
      if (performance.now() > deadline) throw new Error(`${runtime} ${source}: no frame`);
      await sleep(20);
    }
    await sleep(WARMUP_S * 1000);
    const [cpu0, n0, t0] = [await treeCpu(srv.pid), samples, performance.now()];
    await sleep(WINDOW_S * 1000);
    const [cpu1, n1, t1] = [await treeCpu(srv.pid), samples, performance.now()];
    const wall = (t1 - t0) / 1000;
    const own = ((cpu1.get(srv.pid) ?? 0) - (cpu0.get(srv.pid) ?? 0)) / wall;
    let children = 0;
    for (const [p, v] of cpu1) if (p !== srv.pid) children += v - (cpu0.get(p) ?? 0);
    return {
      runtime,
      source,
      cpu: own + children / wall,
      childCpu: children / wall,
      samplesPerS: (n1 - n0) / wall,
      rssMb: (await memoryMb(srv.pid)).rss,
    };
  } finally {
    client.close();
  }
}

async function simRun(runtime: Runtime): Promise<Figures> {
  const srv = await startServer(runtime, ["--autoconnect"]);
  try {
    return await measure(runtime, "simulator", srv);
  } finally {
    await srv.stop();
  }
}

async function ttyRun(runtime: Runtime): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), "mw75-tty-bench-"));
  const fake = await startFakeBluez({ address: HEADSET });
  const pty = await startPtyPair(join(dir, "a"), join(dir, "b"));
  const feeder = startFeeder(pty.a);
  // the server child inherits this process's environment: the private bus stands in for the system bus
  process.env.DBUS_SYSTEM_BUS_ADDRESS = fake.busAddress;
  let srv: ServerProcess | undefined;
  try {
    srv = await startServer(runtime, [
      "--source",
      "mw75",
      "--device",
      HEADSET,
      "--rfcomm-tty",
      pty.b,
      "--autoconnect",
    ]);
    return await measure(runtime, "pty headset", srv);
  } finally {
    await srv?.stop();
    feeder.stop();
    pty.stop();
    fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const pct = (cores: number): string => `${(cores * 100).toFixed(2)} %`;

async function main(): Promise<void> {
  console.log(`uptime: ${uptime()}`);
  console.log(
    `one headset, one binary eeg_batch client (N = ${BATCH_N}); warm-up ${WARMUP_S} s, window ${WINDOW_S} s; ` +
      `server CPU in % of one core (all threads, plus its children: Deno reads a tty through cat)`,
  );
  const rows: Figures[] = [];
  for (const runtime of RUNTIMES) {
    rows.push(await simRun(runtime));
    rows.push(await ttyRun(runtime));
  }
  console.log(
    `\n${"runtime".padEnd(8)}${"source".padEnd(13)}${"CPU".padStart(9)}${
      "of it children".padStart(16)
    }${"samples/s".padStart(11)}${"RSS MB".padStart(8)}`,
  );
  for (const r of rows) {
    console.log(
      `${r.runtime.padEnd(8)}${r.source.padEnd(13)}${pct(r.cpu).padStart(9)}${
        pct(r.childCpu).padStart(16)
      }${r.samplesPerS.toFixed(0).padStart(11)}${r.rssMb.toFixed(0).padStart(8)}`,
    );
  }
  for (const runtime of RUNTIMES) {
    const sim = rows.find((r) => r.runtime === runtime && r.source === "simulator")!;
    const tty = rows.find((r) => r.runtime === runtime && r.source !== "simulator")!;
    console.log(`${runtime}: pty headset / simulator = ×${(tty.cpu / sim.cpu).toFixed(2)}`);
  }
  console.log(`uptime: ${uptime()}`);
}

await main();
