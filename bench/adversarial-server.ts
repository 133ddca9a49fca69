/**
 * @module Adversarial-bench server side: the `serve` entry of any checkout (`--root`) as a child
 * process killed by PID, /health, /proc memory figures, and a scene helper that always cleans up.
 */
import { spawn } from "node:child_process";
import { memoryMb, type Runtime, serveCommand, sleep } from "./server-harness.ts";
import { RawWs } from "./adversarial-ws.ts";

export { type Runtime, sleep };

// --- server child ---

const START_TIMEOUT_MS = 30_000;
const live = new Set<number>();
// a crash of the bench itself must not leave servers behind (normal paths kill in `finally`)
process.on("exit", () => {
  for (const pid of live) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

/** A running server child (its PID is the server itself, no wrapper). */
export interface Server {
  readonly pid: number;
  readonly port: number;
  /** Exit code (or signal name) once the process has ended; null while it runs. */
  readonly exit: string | null;
  stderrTail(): string;
  /** Sends `signal`, SIGKILL after `graceMs`; resolves with how it ended (bounded). */
  stop(signal?: "SIGINT" | "SIGTERM" | "SIGKILL", graceMs?: number): Promise<string>;
}

/** Starts `serve --port 0 …args` from `root` and waits for the `listening on http://HOST:PORT` line. */
export function startServer(runtime: Runtime, root: string, args: string[]): Promise<Server> {
  const [cmd, argv] = serveCommand(runtime, ["--port", "0", ...args], root);
  const child = spawn(cmd, argv, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  const pid = child.pid ?? -1;
  if (pid > 0) live.add(pid);
  let stderr = "";
  let exit: string | null = null;
  // the pipes are always drained: a server blocked on a full stderr pipe would distort every figure
  child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<string>((resolve) =>
    child.once("exit", (code, sig) => {
      live.delete(pid);
      exit = code !== null ? `exit ${code}` : `signal ${sig}`;
      resolve(exit);
    })
  );
  const signal = (name: NodeJS.Signals): void => {
    try {
      if (live.has(pid)) process.kill(pid, name);
    } catch {
      // exited meanwhile
    }
  };
  const stop = async (
    name: "SIGINT" | "SIGTERM" | "SIGKILL" = "SIGTERM",
    graceMs = 3000,
  ): Promise<string> => {
    if (!live.has(pid)) return exit ?? "not started";
    signal(name);
    const timer = setTimeout(() => signal("SIGKILL"), graceMs);
    const how = await exited;
    clearTimeout(timer);
    return how;
  };
  return new Promise((resolve, reject) => {
    let stdout = "";
    const fail = (why: string): void => {
      clearTimeout(timer);
      void stop("SIGKILL").then(() =>
        reject(new Error(`${runtime} server: ${why}; stderr: ${stderr.slice(-400)}`))
      );
    };
    const timer = setTimeout(
      () => fail(`no "listening on" line within ${START_TIMEOUT_MS} ms`),
      START_TIMEOUT_MS,
    );
    const early = (): void => fail(`exited early (${exit})`);
    child.once("exit", early);
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      const m = /listening on http:\/\/(\S+):(\d+)/.exec(stdout);
      if (!m) return;
      clearTimeout(timer);
      child.off("exit", early);
      child.stdout.removeAllListeners("data");
      child.stdout.resume();
      resolve({
        pid,
        port: Number(m[2]),
        get exit() {
          return exit;
        },
        stderrTail: () => stderr,
        stop,
      });
    });
  });
}

/** VmRSS and VmHWM in MB; NaN once the process is gone. */
export function memory(pid: number): Promise<{ rss: number; peak: number }> {
  return memoryMb(pid).catch(() => ({ rss: Number.NaN, peak: Number.NaN }));
}

/** The /health fields the bench reads. */
export interface Health {
  device_state?: string;
  clients?: number;
  packets?: Record<string, number>;
}

/** GET /health, or null when it does not answer within `timeoutMs`. */
export async function health(port: number, timeoutMs = 2000): Promise<Health | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    return (await res.json()) as Health;
  } catch {
    return null;
  }
}

/** Largest timer lag of this process while it runs: a stall we caused ourselves shows up here. */
export function lagMonitor(): { stop(): number } {
  let max = 0;
  let last = performance.now();
  const t = setInterval(() => {
    const now = performance.now();
    max = Math.max(max, now - last - 10);
    last = now;
  }, 10);
  return { stop: () => (clearInterval(t), Math.max(0, max)) };
}

// --- scenes ---

/** What every defect gets: which runtime, which checkout, how patient to be. */
export interface Ctx {
  runtime: Runtime;
  root: string;
  quick: boolean;
}

/** One defect's result: human-readable lines and one short table cell per row. */
export interface Outcome {
  lines: string[];
  cells: Record<string, string>;
}

/** A server plus the clients opened on it; `scene` closes them all and kills the server in `finally`. */
export interface Scene {
  server: Server;
  /** Opens a client and waits (≤ 3 s) for its first message, the welcome `status` (or a rejection). */
  open(path?: string): Promise<RawWs>;
}

/** Runs `body` against a fresh server started with `args`. */
export async function scene<T>(
  ctx: Ctx,
  args: string[],
  body: (s: Scene) => Promise<T>,
): Promise<T> {
  const server = await startServer(ctx.runtime, ctx.root, args);
  const clients: RawWs[] = [];
  try {
    return await body({
      server,
      async open(path = "/") {
        const c = await RawWs.open(server.port, path);
        clients.push(c);
        await c.waitFor(() => true, 3000);
        return c;
      },
    });
  } finally {
    for (const c of clients) c.destroy();
    await server.stop();
  }
}

/** "1.23" style figure; "?" for NaN. */
export const num = (
  v: number,
  digits = 0,
): string => (Number.isFinite(v) ? v.toFixed(digits) : "?");
