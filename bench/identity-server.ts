/**
 * @module The identity check's server child: the `serve` entry of ANOTHER checkout (`--root`),
 * run from that checkout with its own node_modules, on a free port.
 */
import { spawn } from "node:child_process";
import type { Runtime } from "./server-harness.ts";
import { serveCommand } from "./server-harness.ts";

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

/** A running server of some checkout. */
export interface RootServer {
  /** `127.0.0.1:PORT` */
  url: string;
  /** The child's stderr so far (its last 8 kB), for error messages. */
  stderr(): string;
  /** SIGTERM, SIGKILL after 5 s; resolves with the exit code once it has exited. */
  stop(): Promise<number | null>;
}

/** Starts `root`'s server with `args` (plus `--port 0`) and waits for its `listening on` line. */
export function startRootServer(
  runtime: Runtime,
  root: string,
  args: readonly string[],
): Promise<RootServer> {
  const [cmd, argv] = serveCommand(runtime, ["--port", "0", ...args], root);
  const child = spawn(cmd, argv, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)));
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (c) => {
      code = c;
      resolve(c);
    })
  );
  // a benchmark interrupted by ^C must not leave its server behind
  const kill = (): void => {
    if (code === undefined) child.kill("SIGKILL");
  };
  process.once("exit", kill);
  const stop = async (): Promise<number | null> => {
    if (code === undefined) child.kill("SIGTERM");
    const timer = setTimeout(kill, STOP_TIMEOUT_MS);
    const c = await exited;
    clearTimeout(timer);
    process.off("exit", kill);
    return c;
  };
  return new Promise((resolve, reject) => {
    let stdout = "";
    const fail = (why: string): void => {
      clearTimeout(timer);
      void stop().then(() =>
        reject(new Error(`${runtime} server of ${root}: ${why}\nstderr: ${stderr}`))
      );
    };
    const timer = setTimeout(
      () => fail(`no "listening on" line within ${START_TIMEOUT_MS} ms`),
      START_TIMEOUT_MS,
    );
    const early = (c: number | null): void => fail(`exited early with code ${c}`);
    child.once("exit", early);
    child.once("error", (e) => fail(`could not start ${cmd}: ${e.message}`));
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      const m = /listening on http:\/\/(\S+):(\d+)/.exec(stdout);
      if (m === null) return;
      clearTimeout(timer);
      child.off("exit", early);
      child.stdout.removeAllListeners("data");
      child.stdout.resume();
      resolve({ url: `127.0.0.1:${m[2]}`, stderr: () => stderr, stop });
    });
  });
}
