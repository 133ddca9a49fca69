/** @module A bridge child for the LSL benchmark: server-harness.ts's command, plus --allow-ffi on Deno. */
// --allow-ffi makes Deno's LSL clock CLOCK_MONOTONIC (liblsl's) rather than the calibrated fallback:
// the cross-process figures compare the bridge's timestamps with this process's clock.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type Runtime, serveCommand, type ServerProcess } from "./server-harness.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

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

/** Starts `serve --port 0 ARGS` under `runtime`; resolves at its `listening on` line. */
export function startBridge(runtime: Runtime, args: string[]): Promise<ServerProcess> {
  const [cmd, argv] = serveCommand(runtime, ["--port", "0", ...args], ROOT);
  if (runtime === "deno") argv.splice(1, 0, "--allow-ffi");
  const child = spawn(cmd, argv, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const pid = child.pid!;
  live.add(pid);
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      live.delete(pid);
      resolve();
    })
  );
  const signal = (name: "SIGTERM" | "SIGKILL"): void => {
    try {
      if (live.has(pid)) process.kill(pid, name);
    } catch {
      // exited meanwhile
    }
  };
  const stop = async (): Promise<void> => {
    signal("SIGTERM");
    const timer = setTimeout(() => signal("SIGKILL"), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    let stdout = "";
    const fail = (why: string): void => {
      clearTimeout(timer);
      void stop().then(() => reject(new Error(`${runtime} bridge: ${why}\nstderr: ${stderr}`)));
    };
    const timer = setTimeout(() => fail("no listening line within 30 s"), START_TIMEOUT_MS);
    const early = (code: number | null): void => fail(`exited early with code ${code}`);
    child.once("exit", early);
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      const m = /listening on http:\/\/(\S+):(\d+)/.exec(stdout);
      if (!m) return;
      clearTimeout(timer);
      child.off("exit", early);
      child.stdout.removeAllListeners("data");
      child.stdout.resume();
      const port = Number(m[2]);
      resolve({ pid, port, url: `127.0.0.1:${port}`, stop });
    });
  });
}
