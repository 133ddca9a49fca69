/** @module Picks the tty opener of the runtime the tests run under, and runs the Node opener in a child process. */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { OpenTty } from "../../src/ports/tty.ts";

export type RuntimeName = "bun" | "deno" | "node";

/** The runtime executing this code. */
export function currentRuntime(): RuntimeName {
  if ("Bun" in globalThis) return "bun";
  if ("Deno" in globalThis) return "deno";
  return "node";
}

/** The opener from src/adapters/serial/<runtime>.ts (a computed specifier keeps tsc out of the Deno file). */
export async function runtimeOpenTty(runtime: RuntimeName = currentRuntime()): Promise<OpenTty> {
  const spec = `../../src/adapters/serial/${runtime}.ts`;
  const mod = (await import(spec)) as { openTty: OpenTty };
  return mod.openTty;
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** What the Node probe reported. */
export interface ProbeResult {
  opened: boolean;
  bytes: number[];
  /** "end" | "error" | "open-failed" */
  outcome: string;
  code?: string;
  message?: string;
  /** ms from the probe's last byte/open to the end of the stream */
  endedAt: number;
}

/** How a probe child runs: Node with its opener, or Deno with --allow-all (its native Deno.open path). */
export type ProbeKind = "node" | "deno-allow-all";

const PROBE_ARGV: Record<ProbeKind, string[]> = {
  node: ["node", "--import", "tsx", "test/_support/tty-probe.ts"],
  "deno-allow-all": [
    `${ROOT}node_modules/.bin/deno`,
    "run",
    "--allow-all",
    "test/_support/tty-probe.ts",
  ],
};

/** A child reading `path` with its runtime's opener; `ready` resolves once the tty is open. */
export function startProbe(
  kind: ProbeKind,
  path: string,
  timeoutMs = 15_000,
): { ready: Promise<boolean>; result: Promise<ProbeResult>; bytesRead: () => number } {
  const [cmd, ...args] = PROBE_ARGV[kind];
  const child = spawn(cmd!, [...args, path], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  let bytesRead = 0;
  let markReady: (v: boolean) => void = () => {};
  const ready = new Promise<boolean>((r) => (markReady = r));
  child.stdout!.on("data", (d: Uint8Array) => {
    out += new TextDecoder().decode(d);
    if (out.includes("OPEN\n")) markReady(true);
    const reads = out.match(/^READ (\d+)\n/gm); // whole lines only
    if (reads !== null) bytesRead = Number(reads[reads.length - 1]!.slice(5));
  });
  child.stderr!.on("data", (d: Uint8Array) => void (err += new TextDecoder().decode(d)));
  const result = new Promise<ProbeResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, "SIGKILL");
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      markReady(false);
      const line = out.split("\n").find((l) => l.startsWith("RESULT "));
      if (line) resolve(JSON.parse(line.slice(7)) as ProbeResult);
      else {reject(
          new Error(`node probe exited ${code} without a result\nstdout:${out}\nstderr:${err}`),
        );}
    });
  });
  return { ready, result, bytesRead: () => bytesRead };
}
