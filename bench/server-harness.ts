/** @module Server-benchmark plumbing: start the bridge as a child process, read /proc figures, and the statistics of the reports. */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

export type Runtime = "bun" | "deno" | "node";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

// Children still running; killed by PID if the benchmark itself is interrupted.
const live = new Set<number>();
process.on("exit", () => {
  for (const pid of live) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(130));

/**
 * The V8 flags `npm run serve:node` and `deno task serve` pass (package.json, deno.json): a 1-MB semi-space
 * keeps the young generation small and the RSS steady; keep these in step with those files.
 */
export const NODE_FLAGS = ["--max-semi-space-size=1"];
export const DENO_V8_FLAGS = "--v8-flags=--max-semi-space-size=1";
/** Where `npm run build:RUNTIME` writes the runtime's bundle (two levels down, as `../../wasm/decoder.wasm` expects). */
const bundlePath = (runtime: Runtime): string => `dist/serve-${runtime}/${runtime}.js`;
const bundled = new Map<string, boolean>();

/**
 * Builds the bundle `runtime` serves from in the checkout at `root` once per process, with that checkout's own
 * `build:RUNTIME` script, as `npm run serve` / `serve:node` / `deno task serve` do; false for a checkout without
 * the script (an older one), which serves from its sources.
 */
function bundle(runtime: Runtime, root: string): boolean {
  const key = `${runtime} ${root}`;
  let ok = bundled.get(key);
  if (ok === undefined) {
    const pkg = JSON.parse(readFileSync(`${root}/package.json`, "utf8")) as {
      scripts?: Record<string, string>;
    };
    const script = pkg.scripts?.[`build:${runtime}`];
    if (script !== undefined) {
      const path = `${root}/node_modules/.bin:${process.env.PATH ?? ""}`;
      execFileSync("sh", ["-c", script], {
        cwd: root,
        stdio: "ignore",
        env: { ...process.env, PATH: path },
      });
    }
    ok = script !== undefined && existsSync(`${root}/${bundlePath(runtime)}`);
    bundled.set(key, ok);
  }
  return ok;
}

/**
 * The command that runs the `serve` entry of the checkout at `root` in-process (so the child's PID
 * is the server itself, not a wrapper); run it with `cwd: root`. Each runtime runs the bundle its serve
 * script runs (Bun and Deno from the sources, Node through tsx, for a checkout without one).
 */
export function serveCommand(
  runtime: Runtime,
  args: string[],
  root: string = ROOT,
): [string, string[]] {
  const bin = `${root}/node_modules/.bin`;
  const entry = (source: string): string => bundle(runtime, root) ? bundlePath(runtime) : source;
  switch (runtime) {
    case "bun":
      return [`${bin}/bun`, [entry("src/bun.ts"), ...args]];
    case "deno":
      return [`${bin}/deno`, [
        "run",
        "--allow-net",
        "--allow-read",
        "--allow-write",
        "--allow-env",
        "--allow-run",
        "--allow-sys",
        "--allow-ffi",
        // a checkout without the bundle predates the flag too: run it as its serve task did
        ...(bundle(runtime, root) ? [DENO_V8_FLAGS] : []),
        entry("src/deno.ts"),
        ...args,
      ]];
    case "node": {
      const built = bundle(runtime, root);
      return built
        ? ["node", [...NODE_FLAGS, bundlePath(runtime), ...args]]
        : ["node", ["--import", "tsx", "src/node.ts", ...args]];
    }
  }
}

/** How `runtime` starts the bridge here, for reports (e.g. "node --import tsx src/node.ts"). */
export function launchName(runtime: Runtime, root: string = ROOT): string {
  const [cmd, argv] = serveCommand(runtime, [], root);
  return [cmd.slice(cmd.lastIndexOf("/") + 1), ...argv.filter((a) => !a.startsWith("--allow-"))]
    .join(" ");
}

/** A running server child. */
export interface ServerProcess {
  pid: number;
  port: number;
  url: string;
  /** SIGTERM, then SIGKILL after 5 s; resolves when the process has exited. */
  stop(): Promise<void>;
}

/**
 * Starts the server of the checkout at `root` (default: this one) with `--port 0` and waits for its
 * `listening on http://HOST:PORT` line.
 */
export function startServer(
  runtime: Runtime,
  args: string[],
  root: string = ROOT,
): Promise<ServerProcess> {
  const [cmd, argv] = serveCommand(runtime, ["--port", "0", ...args], root);
  const child = spawn(cmd, argv, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  const pid = child.pid;
  if (pid !== undefined) live.add(pid);
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      if (pid !== undefined) live.delete(pid);
      resolve();
    })
  );
  const signal = (name: "SIGTERM" | "SIGKILL"): void => {
    try {
      if (pid !== undefined && live.has(pid)) process.kill(pid, name);
    } catch {
      // exited meanwhile
    }
  };
  const stop = async (): Promise<void> => {
    if (pid === undefined || !live.has(pid)) return;
    signal("SIGTERM");
    const timer = setTimeout(() => signal("SIGKILL"), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    let stdout = "";
    const fail = (why: string): void => {
      clearTimeout(timer);
      void stop().then(() => reject(new Error(`${runtime} server: ${why}\nstderr: ${stderr}`)));
    };
    const timer = setTimeout(
      () => fail(`no "listening on" line within ${START_TIMEOUT_MS} ms`),
      START_TIMEOUT_MS,
    );
    const early = (code: number | null): void => fail(`exited early with code ${code}`);
    child.once("exit", early);
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      const m = /listening on http:\/\/(\S+):(\d+)/.exec(stdout);
      if (m && pid !== undefined) {
        clearTimeout(timer);
        child.off("exit", early);
        child.stdout.removeAllListeners("data");
        child.stdout.resume();
        const port = Number(m[2]);
        resolve({ pid, port, url: `127.0.0.1:${port}`, stop });
      }
    });
  });
}

/** CPU seconds (user + system) the process has used so far, from /proc/PID/stat. */
export async function cpuSeconds(pid: number, clockTicks = 100): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  // fields after the ")" closing the command name start at field 3 (state); utime/stime are 14/15
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(rest[11]) + Number(rest[12])) / clockTicks;
}

/** Last schedstat reading per thread of each measured process (ns), so exited threads keep counting. */
const seenThreads = new Map<number, Map<string, number>>();

/**
 * CPU seconds of every thread of `pid` seen so far, in nanoseconds from /proc/PID/task/TID/schedstat
 * (exact, where /proc/PID/stat counts 10-ms ticks); a thread that exited keeps its last reading, so a
 * runtime's short-lived helper threads never make a window's CPU negative. Falls back to `cpuSeconds`.
 */
export function threadCpuSeconds(pid: number): Promise<number> {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
    readFileSync(`/proc/${pid}/task/${tasks[0]}/schedstat`, "utf8");
  } catch {
    return cpuSeconds(pid);
  }
  let seen = seenThreads.get(pid);
  if (seen === undefined) seenThreads.set(pid, seen = new Map());
  for (const task of tasks) {
    try {
      seen.set(
        task,
        Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]),
      );
    } catch {
      // the thread exited meanwhile: its last reading stays
    }
  }
  let ns = 0;
  for (const v of seen.values()) ns += v;
  return Promise.resolve(ns / 1e9);
}

/**
 * The CPU of each process in `pids` (all threads, fraction of one core) over `subWindows` equal
 * sub-windows of `windowS` seconds, measured side by side; `windowS` back is the wall time it took.
 */
export async function cpuOverSubWindows(
  pids: readonly number[],
  windowS: number,
  subWindows: number,
): Promise<{ cpu: number[][]; windowS: number }> {
  const cpu: number[][] = pids.map(() => []);
  let before = await Promise.all(pids.map(threadCpuSeconds));
  let t = performance.now();
  const start = t;
  for (let w = 0; w < subWindows; w++) {
    await sleep((windowS / subWindows) * 1000);
    const after = await Promise.all(pids.map(threadCpuSeconds));
    const now = performance.now();
    after.forEach((v, i) => cpu[i]!.push((v - before[i]!) / ((now - t) / 1000)));
    [before, t] = [after, now];
  }
  return { cpu, windowS: (t - start) / 1000 };
}

/** VmRSS and VmHWM (peak) in MB from /proc/PID/status. */
export async function memoryMb(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = (key: string): number =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

/** Median (mean of the middle two for an even count). */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** p-th percentile (0..100) by nearest rank. */
export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
