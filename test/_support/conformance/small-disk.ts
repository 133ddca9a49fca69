/** @module A full disk on demand for the recording scenarios: a 256 KiB tmpfs when mounting works, else `serve` under a file size limit, each undone afterwards. */
import { spawn, spawnSync } from "node:child_process";
import { serveCommand } from "../server-process.ts";
import type { Runtime } from "../server-process.ts";
import { delay } from "./helpers.ts";
import { ROOT, until } from "./recording-helpers.ts";

/**
 * A small disk for `dir`: a 256 KiB tmpfs when mounting works (root), else "ulimit" (the server
 * then runs under `ulimit -f 200` with SIGXFSZ ignored, so writes fail with EFBIG).
 * MW75_TEST_DISK_FULL=ulimit forces the fallback.
 */
export function smallDisk(dir: string): "tmpfs" | "ulimit" {
  if (process.env["MW75_TEST_DISK_FULL"] === "ulimit") return "ulimit";
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", dir], {
    encoding: "utf8",
    timeout: 10_000,
  });
  return r.status === 0 ? "tmpfs" : "ulimit";
}

export async function unmount(dir: string): Promise<void> {
  // the killed server may still hold its files for a moment: retried every 25 ms, for 2 s
  for (let k = 0; k < 80; k++) {
    if (spawnSync("umount", [dir], { timeout: 10_000 }).status === 0) return;
    await delay(25);
  }
  spawnSync("umount", ["-l", dir], { timeout: 10_000 });
}

/** What the scenario needs of a running server. */
export interface Served {
  exited: Promise<unknown>;
  stderr(): string;
}

/** `serve` under a 200-KiB file size limit (SIGXFSZ ignored): its ws:// URL and a kill. */
export async function startUnderFileLimit(
  runtime: Runtime,
  args: string[],
): Promise<Served & { ws: string; kill: () => void }> {
  const [cmd, ...pre] = serveCommand(runtime);
  const child = spawn("bash", [
    "-c",
    'trap "" XFSZ; ulimit -f 200; exec "$@"',
    "bash",
    cmd!,
    ...pre,
    "--port",
    "0",
    ...args,
  ], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
  const exited = new Promise((r) => child.once("exit", (code, signal) => r(code ?? signal)));
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  try {
    await until(
      () => /listening on http:\/\/\S+:\d+/.test(out),
      20_000,
      `${runtime} under ulimit -f to start`,
    );
  } catch (e) {
    kill();
    throw e;
  }
  const m = /listening on http:\/\/(\S+):(\d+)/.exec(out)!;
  return { ws: `ws://${m[1]}:${m[2]}`, kill, exited, stderr: () => err };
}
