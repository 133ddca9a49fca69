/** @module Starts `serve` as a child process under Bun, Deno or Node and finds its port from the banner. */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export type Runtime = "bun" | "deno" | "node";
export const RUNTIMES: readonly Runtime[] = ["bun", "deno", "node"];

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = `${ROOT}node_modules/.bin`;

/** argv that runs the server entry under `runtime` (from the repository root). */
export function serveCommand(runtime: Runtime): string[] {
  switch (runtime) {
    case "bun":
      return [`${BIN}/bun`, "src/bun.ts"];
    case "deno":
      // the same permissions as `deno task serve`
      return [
        `${BIN}/deno`,
        "run",
        "--allow-net",
        "--allow-read",
        "--allow-write",
        "--allow-env",
        "--allow-run",
        "--allow-sys",
        "--allow-ffi",
        "src/deno.ts",
      ];
    case "node":
      return ["node", "--import", "tsx", "src/node.ts"];
  }
}

/** A running server child. */
export interface ServerProcess {
  readonly port: number;
  /** `http://HOST:PORT` and `ws://HOST:PORT`, also when the server speaks TLS (then they are refused). */
  readonly http: string;
  readonly ws: string;
  /** `https://HOST:PORT` and `wss://HOST:PORT` when the banner said https (--tls-cert), else null. */
  readonly https: string | null;
  readonly wss: string | null;
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or 128+signal number style null → -1). */
  readonly exited: Promise<number>;
  /** Kills by PID (SIGKILL) if still running; safe to call twice. */
  kill(): void;
}

/**
 * Spawns the server with `--port 0` plus `args` (and extra environment variables) and waits,
 * bounded, for the `listening on http://` (or `https://`) line.
 */
export function startServer(
  runtime: Runtime,
  args: string[],
  timeoutMs = 20_000,
  env: Record<string, string> = {},
  /** argv in place of `serveCommand(runtime)` (e.g. a built bundle). */
  command: string[] = serveCommand(runtime),
): Promise<ServerProcess> {
  const [cmd, ...pre] = command;
  const child = spawn(cmd!, [...pre, "--port", "0", ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  let out = "";
  let err = "";
  const exited = new Promise<number>((resolve) =>
    child.once("exit", (code) => resolve(code ?? -1))
  );
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => {
    if (err.length < 1_000_000) err += d.toString();
  });
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(child.pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
  };
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const poll = setInterval(() => {
      const m = /listening on (https?):\/\/([^\s:]+):(\d+)/.exec(out);
      if (m) {
        clearInterval(poll);
        const base = `${m[2]}:${m[3]}`;
        const tls = m[1] === "https";
        resolve({
          port: Number(m[3]),
          http: `http://${base}`,
          ws: `ws://${base}`,
          https: tls ? `https://${base}` : null,
          wss: tls ? `wss://${base}` : null,
          child,
          stdout: () => out,
          stderr: () => err,
          exited,
          kill,
        });
      } else if (child.exitCode !== null || Date.now() > deadline) {
        clearInterval(poll);
        kill();
        reject(
          new Error(
            `server (${runtime}) did not start: exit ${child.exitCode}\nstdout:\n${out}\nstderr:\n${err}`,
          ),
        );
      }
    }, 20);
  });
}

/** Runs the entry to completion (bounded) and returns exit code and output. */
export function runServeCli(
  runtime: Runtime,
  args: string[],
  timeoutMs = 20_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const [cmd, ...pre] = serveCommand(runtime);
  const child = spawn(cmd!, [...pre, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(
      () => child.pid !== undefined && process.kill(child.pid, "SIGKILL"),
      timeoutMs,
    );
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
