/** @module Readers outside the bridge for the recording scenarios: MNE via read_edf.py, the decode CLI and raw HTTP requests that no URL parser normalises, each bounded. */
import { execFile } from "node:child_process";
import { connect } from "node:net";
import { join } from "node:path";
import type { Runtime } from "../server-process.ts";
import type { Data } from "./stream-helpers.ts";
import { ROOT } from "./recording-helpers.ts";

/** The system Python that has python3-mne; never the `python3` on PATH. */
export const PYTHON = "/usr/bin/python3";
const READ_EDF = join(ROOT, "test/_support/read_edf.py");
const BIN = join(ROOT, "node_modules/.bin");

// --- processes ---

/** Runs a command (bounded) and resolves with its exit code and output; never rejects. */
export function run(
  cmd: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { cwd: ROOT, timeout: timeoutMs, maxBuffer: 512 << 20, encoding: "utf8" },
      (err, stdout, stderr) => {
        const code = err === null
          ? 0
          : typeof (err as { code?: unknown }).code === "number"
          ? ((err as { code: number }).code)
          : null;
        resolve({ code, stdout, stderr: stderr || (err ? String(err.message) : "") });
      },
    );
  });
}

/** What read_edf.py prints. */
export interface MneReport {
  mne_version: string;
  ch_names: string[];
  ch_types: string[];
  sfreq: number;
  n_times: number;
  meas_date: string | null;
  windows: Array<{ start: number; stop: number; values: number[][] }>;
  annotations: Array<{ onset: number; duration: number; description: string }>;
  warnings: string[];
}

/** MNE's reading of a BDF/EDF file with every sample's values (µV) in `windows[0]`; throws when MNE refuses it. */
export async function readWithMne(file: string): Promise<MneReport> {
  const r = await run(PYTHON, [READ_EDF, file, "--window", "0:100000000"], 120_000);
  if (r.code !== 0) {
    throw new Error(
      `MNE cannot read ${file} (exit ${r.code}): ${
        r.stderr.trim().split("\n").slice(-3).join(" / ")
      }`,
    );
  }
  return JSON.parse(r.stdout) as MneReport;
}

/** The decode CLI's JSON lines for `file` under `runtime`. */
export async function decodeLines(runtime: Runtime, file: string): Promise<Data[]> {
  const commands: Record<Runtime, string[]> = {
    bun: [join(BIN, "bun"), "src/cli/decode.ts"],
    deno: [join(BIN, "deno"), "run", "--allow-read", "src/cli/decode.ts"],
    node: ["node", "--import", "tsx", "src/cli/decode.ts"],
  };
  const [cmd, ...args] = commands[runtime];
  const r = await run(cmd!, [...args, file], 60_000);
  if (r.code !== 0) throw new Error(`decode ${file} exited ${r.code}: ${r.stderr.slice(0, 500)}`);
  return r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Data);
}

// --- HTTP ---

/**
 * GET `path` exactly as written (fetch would turn `%2e%2e` into `..` and resolve it away):
 * status and body over a plain TCP connection, bounded.
 */
export function rawGet(
  port: number,
  path: string,
  timeoutMs = 5000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`GET ${path}: no complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString("latin1");
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf("\r\n\r\n") + 4) });
    });
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
  });
}
